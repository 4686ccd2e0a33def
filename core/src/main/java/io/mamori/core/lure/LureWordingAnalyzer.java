package io.mamori.core.lure;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.evasion.HtmlText;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Looks for the wording of phishing and business e-mail compromise lures in the subject and the body text, in
 * Japanese and English: urgency, account suspension, credential and identity checks, payment and bank-account
 * changes, parcel delivery pretexts, prizes, shared-document and voicemail pretexts, and extortion. Phrases are data ({@code lure-phrases.tsv}); the text is folded first
 * ({@link LureText}) so full-width, half-width and kana variants match. One finding per category, with the
 * matched phrases as evidence and a multiplier growing with the number of distinct phrases (capped); and
 * {@code LURE_COMBINED} when two or more categories appear, since a lure is a combination (urgency plus a
 * credential check, or a bank-account change) while one category alone is ordinary business mail. HTML bodies
 * are read as the reader sees them ({@link HtmlText#visible}): text hidden from the reader is left out, so that hidden
 * junk cannot dilute or cut the lure's words, and invisible characters inside words are dropped by the folding. Work
 * is bounded: at most {@value #MAX_SCANNED_CHARS} characters are examined. Immutable and thread-safe.
 */
public final class LureWordingAnalyzer implements Analyzer {

    /** Lure categories and their finding codes, in report order. */
    enum Category {
        URGENCY("urgency", "LURE_URGENCY"),
        SUSPENSION("suspension", "LURE_ACCOUNT_SUSPENSION"),
        CREDENTIAL("credential", "LURE_CREDENTIAL"),
        PAYMENT("payment", "LURE_PAYMENT"),
        DELIVERY("delivery", "LURE_DELIVERY"),
        PRIZE("prize", "LURE_PRIZE"),
        DOCUMENT("document", "LURE_DOCUMENT_SHARE"),
        EXTORTION("extortion", "LURE_EXTORTION");

        final String key;
        final String code;

        Category(String key, String code) {
            this.key = key;
            this.code = code;
        }
    }

    static final String COMBINED = "LURE_COMBINED";
    static final int MAX_SCANNED_CHARS = 200_000;
    private static final double PER_EXTRA_PHRASE = 0.5;
    private static final double MAX_CATEGORY_MULTIPLIER = 2.0;
    private static final String RESOURCE = "lure-phrases.tsv";

    /** A phrase as written in the data file (the evidence) and folded (what is matched), with its place in the file. */
    private record Phrase(Category category, int order, String written, String folded, boolean ascii) {
    }

    private final Map<Category, List<Phrase>> phrases;
    /** ASCII phrases by their first word: the text is scanned once, word by word, not once per phrase. */
    private final Map<String, List<Phrase>> byFirstWord;
    /** Other phrases (Japanese) by their first character, matched in the text without spaces. */
    private final Map<Character, List<Phrase>> byFirstChar;
    /** Which characters start some phrase of {@link #byFirstChar}: most characters of a text start none. */
    private final boolean[] startsPhrase = new boolean[Character.MAX_VALUE + 1];

    /** With the shipped phrase list. */
    public LureWordingAnalyzer() {
        this.phrases = load();
        Map<String, List<Phrase>> words = new java.util.HashMap<>();
        Map<Character, List<Phrase>> chars = new java.util.HashMap<>();
        for (List<Phrase> list : phrases.values()) {
            for (Phrase p : list) {
                if (p.ascii()) {
                    words.computeIfAbsent(firstWord(p.folded(), 0), k -> new ArrayList<>()).add(p);
                } else {
                    chars.computeIfAbsent(p.folded().charAt(0), k -> new ArrayList<>()).add(p);
                }
            }
        }
        this.byFirstWord = new java.util.HashMap<>(words);
        this.byFirstChar = new java.util.HashMap<>(chars);
        chars.keySet().forEach(c -> startsPhrase[c] = true);
    }

    @Override
    public String name() {
        return "lure-wording";
    }

    @Override
    public Set<String> codes() {
        Set<String> codes = new LinkedHashSet<>();
        for (Category c : Category.values()) {
            codes.add(c.code);
        }
        codes.add(COMBINED);
        return codes;
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) {
        String folded = LureText.fold(scannedText(input.message()));
        Set<Phrase> hits = new java.util.HashSet<>();
        matchWords(folded, hits);
        matchCompact(LureText.withoutSpaces(folded), hits);
        List<Finding> findings = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (Map.Entry<Category, List<Phrase>> e : phrases.entrySet()) {
            Set<String> matched = new LinkedHashSet<>();
            for (Phrase p : e.getValue()) {
                if (hits.contains(p)) {
                    matched.add(p.written());
                }
            }
            if (!matched.isEmpty()) {
                double multiplier = Math.min(MAX_CATEGORY_MULTIPLIER, 1.0 + PER_EXTRA_PHRASE * (matched.size() - 1));
                findings.add(new Finding(e.getKey().code, multiplier, String.join(",", matched)));
                seen.add(e.getKey().key);
            }
        }
        if (seen.size() >= 2) {
            // Two categories together weigh half the combined weight, each further one half more (capped):
            // urgency with a password check is a lure, an urgent invoice alone is often just business.
            double multiplier = Math.min(1.5, (seen.size() - 1) / 2.0);
            findings.add(new Finding(COMBINED, multiplier, String.join(",", seen)));
        }
        return findings;
    }

    /** ASCII phrases that occur in the folded text on word boundaries. */
    private void matchWords(String folded, Set<Phrase> hits) {
        int n = folded.length();
        for (int i = 0; i < n; i++) {
            if (!LureText.isWordChar(folded.charAt(i)) || (i > 0 && LureText.isWordChar(folded.charAt(i - 1)))) {
                continue;
            }
            List<Phrase> candidates = byFirstWord.get(firstWord(folded, i));
            if (candidates == null) {
                continue;
            }
            for (Phrase p : candidates) {
                int end = i + p.folded().length();
                if (end <= n && folded.startsWith(p.folded(), i) && (end == n || !LureText.isWordChar(folded.charAt(end)))) {
                    hits.add(p);
                }
            }
        }
    }

    /** Other phrases that occur anywhere in the text without spaces. */
    private void matchCompact(String compact, Set<Phrase> hits) {
        for (int i = 0; i < compact.length(); i++) {
            char c = compact.charAt(i);
            if (!startsPhrase[c]) {
                continue;
            }
            List<Phrase> candidates = byFirstChar.get(c);
            if (candidates != null) {
                for (Phrase p : candidates) {
                    if (compact.startsWith(p.folded(), i)) {
                        hits.add(p);
                    }
                }
            }
        }
    }

    /** The run of ASCII letters and digits starting at {@code from}. */
    private static String firstWord(String text, int from) {
        int end = from;
        while (end < text.length() && LureText.isWordChar(text.charAt(end))) {
            end++;
        }
        return text.substring(from, end);
    }

    /** Subject and body text (plain and HTML, attachments excluded), cut at {@link #MAX_SCANNED_CHARS}. */
    static String scannedText(ParsedMessage message) {
        StringBuilder text = new StringBuilder();
        append(text, message.subject());
        for (MimePart part : message.parts()) {
            if (text.length() >= MAX_SCANNED_CHARS || Thread.currentThread().isInterrupted()) {
                break;
            }
            if (part.attachment() || part.text() == null) {
                continue;
            }
            if ("text/html".equals(part.contentType())) {
                String html = part.text();
                append(text, HtmlText.visible(html));
            } else if ("text/plain".equals(part.contentType())) {
                append(text, part.text());
            }
        }
        return text.length() > MAX_SCANNED_CHARS ? text.substring(0, MAX_SCANNED_CHARS) : text.toString();
    }

    private static void append(StringBuilder text, String s) {
        int room = MAX_SCANNED_CHARS - text.length();
        if (room <= 0) {
            return;
        }
        text.append(s, 0, Math.min(s.length(), room)).append('\n');
    }

    private static Map<Category, List<Phrase>> load() {
        Map<String, Category> byKey = new LinkedHashMap<>();
        for (Category c : Category.values()) {
            byKey.put(c.key, c);
        }
        Map<Category, List<Phrase>> result = new EnumMap<>(Category.class);
        try (InputStream in = LureWordingAnalyzer.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.split("\t", -1);
                Category category = fields.length == 2 ? byKey.get(fields[0].strip().toLowerCase(Locale.ROOT)) : null;
                if (category == null || fields[1].isBlank()) {
                    throw new IllegalStateException(RESOURCE + " line " + number + ": expected <category>\\t<phrase>"
                            + " with a category among " + byKey.keySet());
                }
                String written = fields[1].strip();
                String folded = LureText.fold(written);
                boolean ascii = LureText.isAsciiWord(folded);
                List<Phrase> list = result.computeIfAbsent(category, k -> new ArrayList<>());
                list.add(new Phrase(category, list.size(), written, ascii ? folded : LureText.withoutSpaces(folded), ascii));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return result.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> List.copyOf(e.getValue()),
                (a, b) -> a, () -> new EnumMap<>(Category.class)));
    }
}
