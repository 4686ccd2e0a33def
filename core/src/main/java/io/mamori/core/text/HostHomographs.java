package io.mamori.core.text;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Host names written to pass for other names: letters of several scripts in one label ({@code pаypal.com} with a
 * Cyrillic а), or a label written only with letters of another script that look Latin ({@code раураl.com}). An
 * internationalised name as such is ordinary ({@code 日本語.jp}); these two are what browsers' IDN display policies
 * (Chromium's) refuse to show in Unicode. Used for link hosts and for sender domains. Hand-written: ICU4J's
 * SpoofChecker restriction levels need ICU4J's 15 MB at run time for two small tests, and allow the Latin-only
 * look-alike labels that matter here. Stateless and thread-safe.
 */
public final class HostHomographs {

    /** What makes a host a homograph. */
    public enum Kind {
        /** A label mixes writing systems (Japanese kanji, kana and Latin together count as one). */
        MIXED_SCRIPTS,
        /** A label of three or more letters is all Cyrillic or Greek look-alikes of Latin ones, under an ASCII TLD. */
        WHOLE_SCRIPT_LOOKALIKE
    }

    private static final Set<Character.UnicodeScript> JAPANESE_AND_LATIN =
            Set.of(Character.UnicodeScript.HAN, Character.UnicodeScript.LATIN);
    /**
     * Cyrillic and Greek letters that look like Latin ones. A label written only with them ("раураl") is a
     * whole-script homograph of a Latin name; browsers (Chromium's IDN display policy) show such names as punycode.
     */
    private static final String LATIN_LOOKALIKES = "аеорсухіјѕԁһӏԛԝҽпгѵѡьъвкмтнАЕОРСУХІЈЅВКМТН" + "αοιρνκτυχεΑΟΙΡΝΚΤΥΧΕΒΗΜΖ";

    private HostHomographs() {
    }

    /** Whether and how the host (in Unicode, as {@link java.net.IDN#toUnicode} gives it) passes for another. */
    public static Optional<Kind> of(String unicodeHost) {
        if (mixesScripts(unicodeHost)) {
            return Optional.of(Kind.MIXED_SCRIPTS);
        }
        return wholeScriptLookalike(unicodeHost) ? Optional.of(Kind.WHOLE_SCRIPT_LOOKALIKE) : Optional.empty();
    }

    /**
     * Whether a label mixes writing systems the way homographs do ({@code pаypal} with a Cyrillic а). Japanese
     * names mix kanji, hiragana and katakana, and Latin with them, legitimately; those count as one system.
     */
    public static boolean mixesScripts(String unicodeHost) {
        for (String label : unicodeHost.split("\\.")) {
            Set<Character.UnicodeScript> scripts = new HashSet<>();
            label.codePoints().forEach(c -> {
                Character.UnicodeScript script = Character.UnicodeScript.of(c);
                switch (script) {
                    case COMMON, INHERITED, UNKNOWN -> { }
                    case HIRAGANA, KATAKANA -> scripts.add(Character.UnicodeScript.HAN);
                    default -> scripts.add(script);
                }
            });
            if (scripts.size() > 1 && !JAPANESE_AND_LATIN.containsAll(scripts)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a label consists only of Cyrillic or Greek letters that look like Latin ones (three or more), under
     * an ASCII top-level domain: under a TLD of the same script (москва.рф) the name reads as what it is, which is
     * also where Chromium stops showing punycode.
     */
    public static boolean wholeScriptLookalike(String unicodeHost) {
        String[] labels = unicodeHost.split("\\.");
        if (labels.length < 2 || !labels[labels.length - 1].chars().allMatch(c -> c < 0x80)) {
            return false;
        }
        for (String label : labels) {
            long letters = label.codePoints().filter(Character::isLetter).count();
            if (letters >= 3 && label.codePoints().filter(Character::isLetter).allMatch(c -> LATIN_LOOKALIKES.indexOf(c) >= 0)) {
                return true;
            }
        }
        return false;
    }
}
