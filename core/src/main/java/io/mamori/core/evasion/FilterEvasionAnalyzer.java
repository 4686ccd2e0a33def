package io.mamori.core.evasion;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.message.Mailbox;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.text.Homoglyphs;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Looks for the tricks that hide a message's words from content filters while the reader still sees them:
 * <ul>
 * <li>{@code HTML_HIDDEN_TEXT}: text in an HTML body that the reader never sees ({@link HtmlText}), either cut into
 * words ({@code pass<span style="display:none">x7q</span>word}: the filter reads "passx7qword") or so much of it
 * that it outweighs what is shown (hidden text salting, Cisco Talos 2025). Cut words, or a page of hidden text five
 * times longer than the visible text, weigh more than hidden text merely longer than the visible text. A newsletter's hidden preview text
 * (the "preheader", typically under 150 characters) and the hidden mobile version a {@code @media} rule shows again
 * stay below both thresholds. Words written into a {@code <style>} element outside its rules (a stylesheet holds no
 * prose, and no mail client shows it) are the same trick and weigh as much as cut words.</li>
 * <li>{@code TEXT_INVISIBLE_CHARS}: zero-width and other invisible characters, or soft hyphens where no hyphenation
 * program would put them, inside words of the subject, the From display name or the visible body text
 * ({@link Invisibles}); joiners in emoji and in scripts that need them are not counted.</li>
 * <li>{@code TEXT_HOMOGLYPHS}: Latin words of the same texts written partly with Cyrillic, Greek or other letters that
 * look the same ({@code Vеrіfy Yоur Wаllеt}; {@link Homoglyphs}).</li>
 * </ul>
 * Attachments are not read. Work is bounded by {@link HtmlText}'s limits and {@value #MAX_TEXT_CHARS} characters of
 * text per part. Immutable and thread-safe.
 */
public final class FilterEvasionAnalyzer implements Analyzer {

    static final String HIDDEN_TEXT = "HTML_HIDDEN_TEXT";
    static final String INVISIBLE_CHARS = "TEXT_INVISIBLE_CHARS";
    static final String HOMOGLYPHS = "TEXT_HOMOGLYPHS";
    /** Disguised words shown in the evidence at most. */
    static final int SHOWN_WORDS = 3;
    /** Disguised words counted at most per text (the evidence says "1000 word(s)" for more). */
    static final int MAX_DISGUISED_COUNTED = 1000;
    static final int MAX_TEXT_CHARS = 400_000;

    /** Hidden runs inside words from which the splitting is deliberate (one can be an editor's stray span). */
    static final int MIN_WORD_SPLITS = 3;
    /** Hidden letters from which hidden text counts by its amount (when it is at least the visible text): well above a preheader. */
    static final int MIN_HIDDEN_LETTERS = 250;
    /**
     * Hidden letters, and how many times the visible letters, from which hidden text is salting beyond doubt: no layout
     * hides five times more text than it shows, and a thousand letters is a page, not a preview line.
     */
    static final int BULK_HIDDEN_LETTERS = 1000;
    static final int BULK_HIDDEN_RATIO = 5;
    /**
     * Words written in style elements outside any rule from which they are a word salad for filters
     * ({@link CssRules#strayWords}): a stray word or two is a typo in a stylesheet, twenty are prose no one shows.
     */
    static final int MIN_STYLE_WORDS = 20;
    /** Words split by invisible characters from which the finding weighs fully, and from which it weighs more. */
    static final int SPLIT_WORDS_FULL = 2;
    static final int SPLIT_WORDS_STRONG = 5;

    @Override
    public String name() {
        return "filter-evasion";
    }

    @Override
    public Set<String> codes() {
        return Set.of(HIDDEN_TEXT, INVISIBLE_CHARS, HOMOGLYPHS);
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) {
        ParsedMessage message = input.message();
        int visibleLetters = 0;
        int hiddenLetters = 0;
        int hiddenRuns = 0;
        int wordSplits = 0;
        int styleWords = 0;
        Map<HtmlText.Technique, Integer> byTechnique = new EnumMap<>(HtmlText.Technique.class);
        Invisibles.Splits subject = Invisibles.splits(message.subject(), false);
        int subjectSplits = subject.words();
        Set<String> characters = new TreeSet<>(subject.characters());
        List<Homoglyphs.Word> disguised = new ArrayList<>();
        int subjectDisguised = disguised(message.subject(), disguised);
        int nameSplits = 0;
        int nameDisguised = 0;
        String from = message.header("From").orElse("");
        Mailbox sender = Mailbox.sender(from).orElse(null);
        if (sender != null && sender.displayName() != null) {
            Invisibles.Splits name = Invisibles.splits(sender.displayName(), false);
            nameSplits = name.words();
            characters.addAll(name.characters());
            nameDisguised = disguised(sender.displayName(), disguised);
        }
        int bodySplits = 0;
        int bodyDisguised = 0;
        for (MimePart part : message.parts()) {
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            if (part.attachment() || part.text() == null) {
                continue;
            }
            String shown;
            if ("text/html".equals(part.contentType())) {
                HtmlText.Reading reading = HtmlText.read(input, part.text());
                visibleLetters += reading.visibleLetters();
                hiddenLetters += reading.hiddenLetters();
                hiddenRuns += reading.hiddenRuns();
                wordSplits += reading.wordSplits();
                styleWords += reading.styleWords();
                reading.byTechnique().forEach((t, n) -> byTechnique.merge(t, n, Integer::sum));
                shown = reading.visible();
            } else if ("text/plain".equals(part.contentType())) {
                shown = part.text().length() > MAX_TEXT_CHARS ? part.text().substring(0, MAX_TEXT_CHARS) : part.text();
            } else {
                continue;
            }
            Invisibles.Splits body = Invisibles.splits(shown);
            bodySplits += body.words();
            characters.addAll(body.characters());
            bodyDisguised += disguised(shown, disguised);
        }
        List<Finding> findings = new ArrayList<>();
        boolean splitting = wordSplits >= MIN_WORD_SPLITS;
        boolean outweighing = hiddenLetters >= MIN_HIDDEN_LETTERS && hiddenLetters >= visibleLetters;
        boolean bulk = hiddenLetters >= BULK_HIDDEN_LETTERS && hiddenLetters >= (long) BULK_HIDDEN_RATIO * visibleLetters;
        boolean salad = styleWords >= MIN_STYLE_WORDS;
        if (splitting || outweighing || salad) {
            // cutting words with hidden text, hiding pages of it, or writing words into a stylesheet is never layout:
            // it weighs more than some hidden text
            String how = byTechnique.entrySet().stream().map(e -> e.getKey().label() + " " + e.getValue())
                    .collect(Collectors.joining(", "));
            findings.add(new Finding(HIDDEN_TEXT, splitting || bulk || salad ? 1.5 : 1.0, hiddenLetters
                    + " hidden characters in " + hiddenRuns + " place(s)" + (how.isEmpty() ? "" : " (" + how + ")") + ", "
                    + wordSplits + " inside words; " + visibleLetters + " visible"
                    + (styleWords > 0 ? "; " + styleWords + " word(s) in style elements outside any rule" : "")));
        }
        int words = subjectSplits + nameSplits + bodySplits;
        if (words > 0) {
            double multiplier = words >= SPLIT_WORDS_STRONG ? 1.5
                    : words >= SPLIT_WORDS_FULL || subjectSplits + nameSplits > 0 ? 1.0 : 0.4;
            findings.add(new Finding(INVISIBLE_CHARS, multiplier, words + " word(s) split by " + String.join(",", characters)
                    + " (subject " + subjectSplits + ", sender name " + nameSplits + ", body " + bodySplits + ")"));
        }
        int disguisedWords = subjectDisguised + nameDisguised + bodyDisguised;
        if (disguisedWords > 0) {
            // weighed as words split by invisible characters: one word of a body may be a slip between keyboard layouts
            double multiplier = disguisedWords >= SPLIT_WORDS_STRONG ? 1.5
                    : disguisedWords >= SPLIT_WORDS_FULL || subjectDisguised + nameDisguised > 0 ? 1.0 : 0.4;
            String shown = disguised.stream().limit(SHOWN_WORDS).map(w -> w.written() + " (" + w.reads() + ")")
                    .collect(Collectors.joining(", "));
            findings.add(new Finding(HOMOGLYPHS, multiplier, disguisedWords + " word(s) written with look-alike letters of "
                    + "other scripts: " + shown + " (subject " + subjectDisguised + ", sender name " + nameDisguised
                    + ", body " + bodyDisguised + ")"));
        }
        return findings;
    }

    /**
     * Adds the disguised words of {@code text} to {@code found} (up to {@value #SHOWN_WORDS} in all) and says how many it
     * has, counting at most {@value #MAX_DISGUISED_COUNTED}: past {@value #SPLIT_WORDS_STRONG} the count changes
     * nothing but the evidence, and a text of words made so should not make a list of each.
     */
    private static int disguised(String text, List<Homoglyphs.Word> found) {
        List<Homoglyphs.Word> words = Homoglyphs.find(text, MAX_DISGUISED_COUNTED);
        found.addAll(words.subList(0, Math.min(words.size(), Math.max(0, SHOWN_WORDS - found.size()))));
        return words.size();
    }
}
