package io.mamori.core.lure;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.evasion.HtmlText;
import io.mamori.core.message.Direction;
import io.mamori.core.message.CalendarText;
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
 * Japanese and English (and smaller sets of Portuguese, Spanish, German, French, Dutch and Italian phrases, whose
 * phrases may hold gaps, {@code *}, for words in between): urgency, account
 * suspension and mailbox trouble, credential and identity checks, payment, billing and bank-account changes, parcel
 * delivery pretexts, prizes and gains, advance-fee fraud (inheritances, compensation funds, money to transfer),
 * shared-document, voicemail, fax and signature pretexts, extortion, and
 * callback requests (phone this number about a charge). Phrases are data ({@code lure-phrases.tsv}); the text is
 * folded first ({@link LureText}) so full-width, half-width, kana and accent variants match. One finding per
 * category, with the matched phrases as evidence and a multiplier growing with the number of distinct phrases found
 * apart from each other (capped; overlapping phrases of one sentence count once); and {@code LURE_COMBINED} when two
 * or more categories appear, since a lure is a combination (urgency plus a credential check, or a bank-account change)
 * while one category alone is ordinary business mail.
 *
 * <p>On inbound mail a category whose phrase stands in the Subject counts half a phrase more: the subject is the
 * hook a lure is built around and what the reader sees first, while the same words deep in a long body are more
 * often quoted or incidental. Urgency and payment are the exception ({@link Category#hookInSubject}): 【至急】 and
 * 請求書 are everyday subjects of genuine business mail. Evidence marks every phrase found in the Subject
 * ({@code subject:至急}). The callback category counts only when
 * the text also holds something shaped like a telephone number ({@link #hasPhoneNumber}): its phrases ask the reader
 * to call, and without a number to call they are ordinary customer-service wording.
 *
 * <p>Words written in ASCII look-alikes ("Someone tried to Iog in", "acc0unt") are read as the words of the phrases
 * they imitate ({@link LureText#undisguise}), and so are katakana words written with kanji or dashes that look like
 * katakana ({@code ア力ウント}, {@code パスワ一ド}: {@link LureText#readKatakana}) and kanji written with katakana that
 * look like them ({@code 入カ}, {@code ロ座}: {@link LureText#readKanji}); a phrase found only so is marked
 * {@code (disguised)} in the evidence and counts half a phrase more.
 *
 * <p>HTML bodies are read as the reader sees them ({@link HtmlText.Reading#readable}), never rendered: text hidden
 * from the reader is left out, so that hidden junk cannot dilute or cut the lure's words, a ruby's readings are read
 * after its base rather than between its letters, and the alt text of remote pictures is read where the picture is
 * (most clients block remote pictures by default, and show the alt text instead); invisible characters inside words
 * are dropped by the folding, and text a directional override (U+202E) turns around is read as it is shown
 * ({@link LureText#inVisualOrder}), a phrase found only so marked {@code (disguised)} like the look-alikes above. Work is bounded: at most {@value #MAX_SCANNED_CHARS} characters are examined.
 * Immutable and thread-safe.
 */
public final class LureWordingAnalyzer implements Analyzer {

    /** Lure categories and their finding codes, in report order. */
    enum Category {
        // Urgency and payment wording is everyday business in a subject (【至急】, 請求書送付の件, "Invoice 1234"):
        // there it is no stronger a sign than in the body.
        URGENCY("urgency", "LURE_URGENCY", false, true),
        SUSPENSION("suspension", "LURE_ACCOUNT_SUSPENSION", true, true),
        CREDENTIAL("credential", "LURE_CREDENTIAL", true, true),
        PAYMENT("payment", "LURE_PAYMENT", false, true),
        DELIVERY("delivery", "LURE_DELIVERY", true, true),
        PRIZE("prize", "LURE_PRIZE", true, true),
        ADVANCE_FEE("advance-fee", "LURE_ADVANCE_FEE", true, true),
        DOCUMENT("document", "LURE_DOCUMENT_SHARE", true, true),
        EXTORTION("extortion", "LURE_EXTORTION", true, true),
        CALLBACK("callback", "LURE_CALLBACK", true, true),
        // A spam offer is no pretext about the reader's account or money: it weighs by its own phrases and combines
        // with no lure (an appeal for Ukrainian women refugees marked urgent is not a lure).
        SPAM("spam", "LURE_SPAM_OFFER", true, false);

        final String key;
        final String code;
        /** Whether a phrase of this category in the Subject of inbound mail counts more than in the body. */
        final boolean hookInSubject;
        /** Whether the category counts towards {@code LURE_COMBINED}. */
        final boolean combines;

        Category(String key, String code, boolean hookInSubject, boolean combines) {
            this.key = key;
            this.code = code;
            this.hookInSubject = hookInSubject;
            this.combines = combines;
        }
    }

    static final String COMBINED = "LURE_COMBINED";
    static final int MAX_SCANNED_CHARS = 200_000;
    private static final double PER_EXTRA_PHRASE = 0.5;
    private static final double MAX_CATEGORY_MULTIPLIER = 2.0;
    /** What a phrase in the Subject of inbound mail adds to its category's multiplier: half a phrase more. */
    private static final double SUBJECT_BONUS = 0.5;
    /** What a phrase in ASCII look-alikes ({@link LureText#undisguise}) adds: no one writes "Iog in" honestly. */
    private static final double DISGUISE_BONUS = 0.5;
    /** Digits a telephone number has at least (a Japanese number has 10, a North American one 10 or 11). */
    private static final int MIN_PHONE_DIGITS = 10;
    /** At most this many digits in one number: longer runs are account, order or tracking numbers. */
    private static final int MAX_PHONE_DIGITS = 15;
    private static final String RESOURCE = "lure-phrases.tsv";
    /** Third column of a phrase that genuine business mail uses every day (請求書, "invoice"). */
    private static final String EVERYDAY = "everyday";

    /** A phrase as written in the data file (the evidence) and folded (what is matched), with its place in the file. */
    private record Phrase(Category category, int order, String written, String folded, boolean ascii, boolean everyday) {
        // Each phrase is one object, made once when the list is loaded, and (category, order) is unique: sets of hits
        // compare them by that instead of by a record's generated equals and hashCode over every component (the
        // generated methods were a tenth of this analyzer's own time on the corpus in a profile of `mamori eval`).
        @Override
        public boolean equals(Object o) {
            return this == o || (o instanceof Phrase p && p.category == category && p.order == order);
        }

        @Override
        public int hashCode() {
            return category.ordinal() << 16 ^ order;
        }
    }

    private final Map<Category, List<Phrase>> phrases;
    /** ASCII phrases: the text is scanned once, from each word start, not once per phrase. */
    private final PhraseTrie asciiPhrases = new PhraseTrie();
    /** The words of the ASCII phrases, folded: what words written in ASCII look-alikes may be read as. */
    private final Set<String> vocabulary;
    /** Other phrases (Japanese) by their first character, matched in the text without spaces. */
    private final Map<Character, List<Phrase>> byFirstChar;
    /** Which characters start some phrase of {@link #byFirstChar}: most characters of a text start none. */
    private final boolean[] startsPhrase = new boolean[Character.MAX_VALUE + 1];

    /** With the shipped phrase list. */
    public LureWordingAnalyzer() {
        this.phrases = load();
        Map<Character, List<Phrase>> chars = new java.util.HashMap<>();
        Set<String> words = new java.util.HashSet<>();
        for (List<Phrase> list : phrases.values()) {
            for (Phrase p : list) {
                if (p.ascii()) {
                    asciiPhrases.add(p);
                    words.addAll(List.of(p.folded().split(" ")));
                } else {
                    chars.computeIfAbsent(p.folded().charAt(0), k -> new ArrayList<>()).add(p);
                }
            }
        }
        words.remove(String.valueOf(PhraseTrie.GAP));
        this.vocabulary = Set.copyOf(words);
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
        // NFKC first: full-width look-alikes (ａｃｃ０ｕｎｔ) are the ASCII ones to read away
        String scanned = LureText.normalised(scannedText(input));
        String read = LureText.read(scanned, vocabulary);
        String folded = LureText.fold(read);
        Matches found = matches(folded);
        Set<Phrase> hits = found.phrases;
        // phrases found only once ASCII or katakana look-alikes were read away ("Someone tried to Iog in", ア力ウント):
        // written so on purpose
        Set<Phrase> disguised = new java.util.HashSet<>();
        if (read != scanned && !hits.isEmpty()) {
            disguised.addAll(hits);
            disguised.removeAll(matches(LureText.fold(scanned)).phrases);
        }
        // the subject only adds weight to phrases of the text: not read when the text has none
        Set<Phrase> inSubject = !hits.isEmpty() && input.envelope().direction() == Direction.INBOUND
                ? matches(LureText.fold(LureText.read(bounded(input.message().subject()), vocabulary))).phrases
                : Set.of();
        List<Finding> findings = new ArrayList<>();
        List<Category> seen = new ArrayList<>();
        // most mail matches no phrase: then no category has a finding, and the loop below (one set look-up per phrase
        // of the list, each hashing the phrase's record) would find none
        for (Map.Entry<Category, List<Phrase>> e : hits.isEmpty() ? Map.<Category, List<Phrase>>of().entrySet()
                : phrases.entrySet()) {
            if (e.getKey() == Category.CALLBACK && !hasPhoneNumber(folded)) {
                continue;
            }
            List<String> matched = new ArrayList<>();
            boolean subject = false;
            boolean inDisguise = false;
            for (Phrase p : e.getValue()) {
                if (hits.contains(p)) {
                    boolean here = inSubject.contains(p);
                    subject |= here;
                    inDisguise |= disguised.contains(p);
                    matched.add((here ? "subject:" : "") + p.written() + (disguised.contains(p) ? " (disguised)" : ""));
                }
            }
            if (!matched.isEmpty()) {
                double bonus = (subject && e.getKey().hookInSubject ? SUBJECT_BONUS : 0.0)
                        + (inDisguise ? DISGUISE_BONUS : 0.0);
                int distinct = found.apart(e.getKey());
                double multiplier = Math.min(MAX_CATEGORY_MULTIPLIER, 1.0 + PER_EXTRA_PHRASE * (distinct - 1) + bonus);
                findings.add(new Finding(e.getKey().code, multiplier, String.join(",", matched)));
                seen.add(e.getKey());
            }
        }
        // The everyday words of the file (請求書, 支払い, "invoice") are genuine business mail's own: a category found
        // only through them keeps its finding but combines with no other. An urgent invoice (【至急】請求書送付), or a
        // card company's statement that names the card details page (お支払い日 … カード情報), is no lure.
        List<String> combining = new ArrayList<>(seen.size());
        for (Category c : seen) {
            if (c.combines && !phrases.get(c).stream().filter(hits::contains).allMatch(Phrase::everyday)) {
                combining.add(c.key);
            }
        }
        if (combining.size() >= 2) {
            // Two categories together weigh half the combined weight, each further one half more (capped):
            // urgency with a password check is a lure.
            double multiplier = Math.min(1.5, (combining.size() - 1) / 2.0);
            findings.add(new Finding(COMBINED, multiplier, String.join(",", combining)));
        }
        return findings;
    }

    private Matches matches(String folded) {
        Matches hits = new Matches();
        matchWords(folded, hits);
        // The other phrases all hold a non-ASCII character, so ASCII text (most mail) cannot contain one.
        if (!LureText.isAscii(folded)) {
            matchCompact(LureText.withoutSpaces(folded), hits);
        }
        return hits;
    }

    /**
     * The phrases found in a text and where: from where to where in the folded text (phrases of Latin letters) or in
     * the text without spaces (the others), at most {@value #MAX_OCCURRENCES} places in all.
     */
    private static final class Matches {
        static final int MAX_OCCURRENCES = 10_000;
        final Set<Phrase> phrases = new java.util.HashSet<>();
        private final List<int[]> places = new ArrayList<>();
        private final List<Phrase> placed = new ArrayList<>();

        void add(Phrase phrase, int start, int end, boolean compact) {
            phrases.add(phrase);
            if (placed.size() < MAX_OCCURRENCES) {
                placed.add(phrase);
                places.add(new int[] {start, end, compact ? 1 : 0});
            }
        }

        /**
         * How many of the category's phrases were found apart from each other: one sentence counts once, however many
         * phrases of the list it holds ("Ihr Konto wurde vorübergehend gesperrt" holds {@code vorübergehend gesperrt}
         * and {@code ihr konto wurde * gesperrt}; 「ご本人確認」 holds 本人確認 twice over, were both listed). Places
         * are taken by where they end, each that starts after the last one taken and is of a phrase not yet counted
         * (the greatest number of places apart, as in interval scheduling); a phrase found only past the
         * {@value #MAX_OCCURRENCES} places kept counts as apart.
         */
        int apart(Category category) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < placed.size(); i++) {
                if (placed.get(i).category() == category) {
                    order.add(i);
                }
            }
            order.sort(java.util.Comparator.<Integer>comparingInt(i -> places.get(i)[2])
                    .thenComparingInt(i -> places.get(i)[1]).thenComparingInt(i -> -places.get(i)[0]));
            Set<Phrase> counted = new java.util.HashSet<>();
            int[] lastEnd = {-1, -1};
            for (int i : order) {
                int[] place = places.get(i);
                if (place[0] >= lastEnd[place[2]] && counted.add(placed.get(i))) {
                    lastEnd[place[2]] = place[1];
                }
            }
            Set<Phrase> placedOnes = new java.util.HashSet<>(placed);
            for (Phrase p : phrases) {
                if (p.category() == category && !placedOnes.contains(p)) {
                    counted.add(p);
                }
            }
            return counted.size();
        }
    }

    /**
     * Whether the folded text holds a run of {@value #MIN_PHONE_DIGITS} to {@value #MAX_PHONE_DIGITS} digits, with at
     * most two of space, hyphen, dot, slash and parentheses between groups: {@code +1 (888) 555-0100},
     * {@code 03-1234-5678}, {@code 0120-123-456}. Full-width digits are ASCII after folding. A run glued to letters
     * (an identifier) or followed by a colon (a date and time, {@code 2024-04-01 12:00}) does not count. One pass.
     */
    static boolean hasPhoneNumber(String folded) {
        int digits = 0;
        int gap = 0;
        boolean glued = false;
        for (int i = 0; i <= folded.length(); i++) {
            char c = i < folded.length() ? folded.charAt(i) : '\n';
            if (c >= '0' && c <= '9') {
                if (digits == 0) {
                    glued = i > 0 && LureText.isWordChar(folded.charAt(i - 1));
                }
                digits++;
                gap = 0;
            } else if (digits > 0 && gap < 2 && " -./()".indexOf(c) >= 0) {
                gap++;
            } else if (digits > 0) {
                boolean ends = gap > 0 || (!LureText.isWordChar(c) && c != ':');
                if (!glued && ends && digits >= MIN_PHONE_DIGITS && digits <= MAX_PHONE_DIGITS) {
                    return true;
                }
                digits = 0;
                gap = 0;
            }
        }
        return false;
    }

    /** The phrases in Latin letters (as written, a gap as "…") that occur in folded text: for the fuzz test. */
    Set<String> latinPhrasesIn(String folded) {
        Matches hits = new Matches();
        matchWords(folded, hits);
        return hits.phrases.stream().map(Phrase::written).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** ASCII phrases that occur in the folded text on word boundaries. */
    private void matchWords(String folded, Matches hits) {
        int n = folded.length();
        boolean previousWordChar = false;
        for (int i = 0; i < n; i++) {
            boolean wordChar = LureText.isWordChar(folded.charAt(i));
            if (wordChar && !previousWordChar) {
                asciiPhrases.match(folded, i, hits);
            }
            previousWordChar = wordChar;
        }
    }

    /** Other phrases that occur anywhere in the text without spaces. */
    private void matchCompact(String compact, Matches hits) {
        for (int i = 0; i < compact.length(); i++) {
            char c = compact.charAt(i);
            if (!startsPhrase[c]) {
                continue;
            }
            List<Phrase> candidates = byFirstChar.get(c);
            if (candidates != null) {
                for (Phrase p : candidates) {
                    if (compact.startsWith(p.folded(), i)) {
                        hits.add(p, i, i + p.folded().length(), true);
                    }
                }
            }
        }
    }

    /**
     * The ASCII phrases as a trie over their folded characters. Hand-written because the obvious ways cost most of the
     * phrase matching's time on long English mail: a hash look-up of each word of the text cost a substring and a hash
     * per word, and then every phrase starting with a common word ("your", "please") was compared on its own. Walking
     * the trie from a word start compares each character of the text once for all phrases sharing a prefix and stops
     * at the first character no phrase continues with. Transitions live in one hash table.
     */
    private static final class PhraseTrie {
        /** A word of a phrase written {@value #GAP} stands for one to {@value #MAX_GAP_WORDS} words of the text. */
        static final char GAP = '*';
        static final int MAX_GAP_WORDS = 3;
        /** Characters that end a clause: a gap never skips a word holding one. */
        private static final String CLAUSE_ENDS = ".,;:!?()[]<>\"|";
        /** Negations (folded) of the languages that have phrases with gaps: a gap never skips one. */
        private static final Set<String> NEGATIONS = Set.of("not", "never", "nicht", "nie", "kein", "keine", "niet",
                "geen", "nooit", "pas", "jamais", "no", "nunca", "nao", "non", "mai");

        /**
         * Transitions (node, character) to child in one open-addressing table: {@code keys} holds
         * {@code node * 128 + character + 1} (0 marks a free slot), {@code children} the child. ASCII phrases only hold
         * characters below 128, so any other character of the text ends a walk at once.
         */
        private int[] keys = new int[1 << 12];
        private int[] children = new int[1 << 12];
        private int transitions;
        private final List<List<Phrase>> ending = new ArrayList<>(List.of(new ArrayList<>()));

        private static int slot(int key, int mask) {
            return (key * 0x9E3779B9 >>> 7) & mask;
        }

        private int child(int node, char c) {
            if (c >= 128) {
                return -1;
            }
            int key = node * 128 + c + 1;
            int mask = keys.length - 1;
            for (int i = slot(key, mask); ; i = (i + 1) & mask) {
                int k = keys[i];
                if (k == key) {
                    return children[i];
                }
                if (k == 0) {
                    return -1;
                }
            }
        }

        private void put(int key, int child) {
            if ((transitions + 1) * 2 > keys.length) {
                int[] oldKeys = keys;
                int[] oldChildren = children;
                keys = new int[oldKeys.length * 2];
                children = new int[oldKeys.length * 2];
                transitions = 0;
                for (int i = 0; i < oldKeys.length; i++) {
                    if (oldKeys[i] != 0) {
                        put(oldKeys[i], oldChildren[i]);
                    }
                }
            }
            int mask = keys.length - 1;
            int i = slot(key, mask);
            while (keys[i] != 0) {
                i = (i + 1) & mask;
            }
            keys[i] = key;
            children[i] = child;
            transitions++;
        }

        void add(Phrase phrase) {
            String text = phrase.folded();
            int node = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c >= 128) {
                    return; // not an ASCII phrase: never walked
                }
                int child = child(node, c);
                if (child < 0) {
                    child = ending.size();
                    ending.add(null);
                    put(node * 128 + c + 1, child);
                }
                node = child;
            }
            if (ending.get(node) == null) {
                ending.set(node, new ArrayList<>());
            }
            ending.get(node).add(phrase);
        }

        /** Adds to {@code hits} every phrase that starts at {@code from} and ends on a word boundary. */
        void match(String text, int from, Matches hits) {
            match(text, from, from, 0, hits);
        }

        /**
         * Walks on from {@code node} at {@code from}. After each space of a phrase that continues with a gap
         * ({@value #GAP}), the walk also goes on after one to {@value #MAX_GAP_WORDS} words of the text: at most that
         * many branches per gap, and a phrase holds few gaps.
         */
        private void match(String text, int start, int from, int node, Matches hits) {
            int n = text.length();
            for (int i = from; i < n; i++) {
                char c = text.charAt(i);
                node = child(node, c);
                if (node < 0) {
                    return;
                }
                List<Phrase> found = ending.get(node);
                if (found != null && (i + 1 == n || !LureText.isWordChar(text.charAt(i + 1)))) {
                    for (Phrase p : found) {
                        hits.add(p, start, i + 1, false);
                    }
                }
                if (c == ' ') {
                    int gap = child(node, GAP);
                    int after = gap < 0 ? -1 : child(gap, ' ');
                    int next = i + 1;
                    for (int words = 1; after >= 0 && words <= MAX_GAP_WORDS; words++) {
                        next = afterWord(text, next);
                        if (next < 0) {
                            break;
                        }
                        match(text, start, next, after, hits);
                    }
                }
            }
        }

        /**
         * Where the word at {@code at} and the space after it end, or -1 when there is no word there, when it ends a
         * clause (a gap does not reach over punctuation into the next sentence) or when it is a negation ("your
         * account has not been suspended", "Ihr Konto wurde nicht gesperrt" say the opposite).
         */
        private static int afterWord(String text, int at) {
            int n = text.length();
            int i = at;
            while (i < n && text.charAt(i) != ' ') {
                if (CLAUSE_ENDS.indexOf(text.charAt(i)) >= 0) {
                    return -1;
                }
                i++;
            }
            return i == at || i >= n || NEGATIONS.contains(text.substring(at, i)) ? -1 : i + 1;
        }
    }

    /**
     * Subject and body text (plain and HTML, attachments excluded; the words of calendar invitations, attached or not,
     * included), cut at {@link #MAX_SCANNED_CHARS}.
     */
    static String scannedText(AnalysisInput input) {
        ParsedMessage message = input.message();
        StringBuilder text = new StringBuilder();
        append(text, message.subject());
        for (MimePart part : message.parts()) {
            if (text.length() >= MAX_SCANNED_CHARS || Thread.currentThread().isInterrupted()) {
                break;
            }
            // a meeting request or an attached .ics: its title, description and place are what the reader reads
            java.util.Optional<CalendarText> calendar = CalendarText.of(part);
            if (calendar.isPresent()) {
                append(text, calendar.get().words());
                continue;
            }
            if (part.attachment() || part.text() == null) {
                continue;
            }
            if ("text/html".equals(part.contentType())) {
                // with the alt text of pictures a client blocking remote pictures shows in their place
                append(text, HtmlText.read(input, part.text()).readable());
            } else if ("text/plain".equals(part.contentType())) {
                append(text, part.text());
            }
        }
        return text.length() > MAX_SCANNED_CHARS ? text.substring(0, MAX_SCANNED_CHARS) : text.toString();
    }

    private static String bounded(String s) {
        return s.length() > MAX_SCANNED_CHARS ? s.substring(0, MAX_SCANNED_CHARS) : s;
    }

    private static void append(StringBuilder text, String s) {
        int room = MAX_SCANNED_CHARS - text.length();
        if (room <= 0) {
            return;
        }
        text.append(s, 0, Math.min(s.length(), room)).append('\n');
    }

    /**
     * A gap ({@code *}) is a word of its own, between two words of a phrase in Latin letters, never two in a row: a
     * phrase in Japanese is matched without spaces, and a gap at either end would only widen what counts as its start
     * or end.
     */
    static void checkGaps(String folded, int line) {
        List<String> words = List.of(folded.split(" "));
        boolean wellPlaced = LureText.isAsciiWord(folded) && words.size() >= 3;
        for (int i = 0; wellPlaced && i < words.size(); i++) {
            boolean gap = words.get(i).equals(String.valueOf(PhraseTrie.GAP));
            wellPlaced = gap ? i > 0 && i < words.size() - 1 && !words.get(i - 1).equals(words.get(i))
                    : words.get(i).indexOf(PhraseTrie.GAP) < 0;
        }
        if (!wellPlaced) {
            throw new IllegalStateException(RESOURCE + " line " + line + ": a gap (" + PhraseTrie.GAP + ") must be a"
                    + " word of its own between two words of a phrase in Latin letters");
        }
    }

    private static Map<Category, List<Phrase>> load() {
        Map<String, Category> byKey = new LinkedHashMap<>();
        for (Category c : Category.values()) {
            byKey.put(c.key, c);
        }
        Map<Category, List<Phrase>> result = new EnumMap<>(Category.class);
        Map<String, Integer> seen = new java.util.HashMap<>();
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
                boolean shape = fields.length == 2 || (fields.length == 3 && fields[2].strip().equals(EVERYDAY));
                Category category = shape ? byKey.get(fields[0].strip().toLowerCase(Locale.ROOT)) : null;
                if (category == null || fields[1].isBlank()) {
                    throw new IllegalStateException(RESOURCE + " line " + number + ": expected <category>\\t<phrase>"
                            + "[\\t" + EVERYDAY + "] with a category among " + byKey.keySet());
                }
                String written = fields[1].strip();
                String folded = LureText.fold(written);
                if (folded.indexOf(PhraseTrie.GAP) >= 0) {
                    checkGaps(folded, number);
                    written = written.replace(" " + PhraseTrie.GAP + " ", " … ");
                }
                // the same phrase twice (two languages sharing a word) would be evidence twice and count twice
                Integer first = seen.putIfAbsent(folded, number);
                if (first != null) {
                    throw new IllegalStateException(RESOURCE + " line " + number + ": \"" + written
                            + "\" is the phrase of line " + first + " already");
                }
                boolean ascii = LureText.isAsciiWord(folded);
                List<Phrase> list = result.computeIfAbsent(category, k -> new ArrayList<>());
                list.add(new Phrase(category, list.size(), written, ascii ? folded : LureText.withoutSpaces(folded), ascii,
                        fields.length == 3));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return result.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> List.copyOf(e.getValue()),
                (a, b) -> a, () -> new EnumMap<>(Category.class)));
    }
}
