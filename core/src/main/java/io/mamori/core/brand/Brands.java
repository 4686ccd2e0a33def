package io.mamori.core.brand;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.MessageMemo;
import io.mamori.core.message.Mailbox;
import io.mamori.core.text.ConfusableSkeleton;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The brands phishing impersonates most ({@code brands.tsv}: names and the brand's own registrable domains) and the
 * free mailbox providers ({@code freemail.txt}), both data so that keeping them current never means editing code.
 * Used by the impersonation analyzer (a brand's name on mail from elsewhere) and the link analyzer (mail that
 * presents itself as a brand but sends the reader elsewhere). Immutable and thread-safe.
 *
 * <p>Names of ASCII letters match whole words of the folded text (NFKC, lower case), where consecutive words may
 * be joined to catch {@code Pay.Pal} and {@code e-Tax}; other names (Japanese) match as substrings. A name that is
 * also an ordinary word ({@code =ledger} in the file) counts only as the whole display name, alone or with words that
 * name a sender's role ({@code Ledger}, {@code LEDGER Support Team}, not {@code General Ledger}).
 */
public final class Brands {

    /**
     * One brand.
     *
     * @param name    how the brand is shown in evidence
     * @param domains its own registrable domains, lower-case ASCII
     */
    public record Brand(String name, Set<String> domains) {
        public Brand {
            domains = Set.copyOf(domains);
        }

        /** Whether a registrable domain is one of the brand's own. */
        public boolean owns(String registrableDomain) {
            return domains.contains(registrableDomain);
        }
    }

    /** An address written in a display name ("service@paypal.com" &lt;x@evil.example&gt;); group 1 is its domain. */
    public static final java.util.regex.Pattern ADDRESS_IN_NAME = java.util.regex.Pattern.compile(
            "[A-Za-z0-9._%+-]+@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63})");
    /** Consecutive words joined when looking for a name: "bank of america" is three. */
    private static final int MAX_JOINED_WORDS = 4;
    /** A brand name found among a domain's labels must be at least this long ("dhl" yes, "au" no). */
    private static final int MIN_DOMAIN_WORD = 3;
    /** A brand name found in disguise must be at least this long. */
    private static final int MIN_DISGUISED_NAME = 4;
    /**
     * Words that name a sender's role rather than who the sender is: what a brand adds to its name in a display name
     * ("Ledger Support", "The Tesla Team", "Lido Finance News"). A name that is also an ordinary word counts when the
     * display name holds nothing but it and these. ASCII only, as the words are compared after folding.
     */
    private static final Set<String> SENDER_ROLES = Set.of("the", "team", "support", "service", "services", "customer",
            "customers", "care", "help", "helpdesk", "desk", "center", "centre", "security", "alert", "alerts", "notice",
            "notification", "notifications", "news", "newsletter", "update", "updates", "info", "official", "account",
            "accounts", "billing", "member", "members", "membership", "rewards", "no", "reply", "noreply",
            "kundenservice", "kundendienst", "atendimento", "suporte", "equipe", "equipo", "soporte", "servicio");
    private static final ConfusableSkeleton SKELETONS = ConfusableSkeleton.builtIn();
    /** The squeezed skeletons of {@link #SENDER_ROLES} ("tearn" for team: the data maps m to rn). */
    private static final Set<String> SENDER_ROLE_SKELETONS = SENDER_ROLES.stream()
            .map(r -> String.join("", words(SKELETONS.skeleton(r)))).collect(java.util.stream.Collectors.toUnmodifiableSet());
    private static final Brands BUILT_IN = load();

    private final List<Brand> brands;
    /** Squeezed ASCII name ("bankofamerica") to its brand. */
    private final Map<String, Brand> asciiNames;
    /** Names with other characters, folded, to their brand (in file order). */
    private final Map<String, Brand> otherNames;
    /** Squeezed confusable skeleton of each ASCII name ("arnazon" for amazon) to its brand. */
    private final Map<String, Brand> skeletonNames;
    /** Squeezed names that count only as the whole display name ("ledger"), and their skeletons, to their brand. */
    private final Map<String, Brand> aloneNames;
    private final Map<String, Brand> aloneSkeletons;
    private final Map<String, Brand> byDomain;
    private final Set<String> freemail;
    private final MessageMemo.Key<Optional<Named>> namedByFrom =
            MessageMemo.Key.of("brand named by the From display name");
    private static final java.util.regex.Pattern LABEL_SEPARATORS = java.util.regex.Pattern.compile("[.-]+");

    private Brands(List<Brand> brands, Map<String, Brand> asciiNames, Map<String, Brand> otherNames,
            Map<String, Brand> skeletonNames, Map<String, Brand> aloneNames, Map<String, Brand> aloneSkeletons,
            Set<String> freemail) {
        this.brands = List.copyOf(brands);
        this.asciiNames = Map.copyOf(asciiNames);
        this.otherNames = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(otherNames));
        this.skeletonNames = Map.copyOf(skeletonNames);
        this.aloneNames = Map.copyOf(aloneNames);
        this.aloneSkeletons = Map.copyOf(aloneSkeletons);
        Map<String, Brand> domains = new HashMap<>();
        for (Brand b : brands) {
            b.domains().forEach(d -> domains.putIfAbsent(d, b));
        }
        this.byDomain = Map.copyOf(domains);
        this.freemail = Set.copyOf(freemail);
    }

    /** The shipped lists (loaded once). */
    public static Brands builtIn() {
        return BUILT_IN;
    }

    public List<Brand> all() {
        return brands;
    }

    /** The brand whose name a display name shows, if any (the first in the file when several do). */
    public Optional<Brand> inDisplayName(String displayName) {
        if (displayName == null || displayName.isBlank()) {
            return Optional.empty();
        }
        String folded = fold(displayName);
        for (Map.Entry<String, Brand> e : otherNames.entrySet()) {
            if (folded.contains(e.getKey())) {
                return Optional.of(e.getValue());
            }
        }
        List<String> words = words(folded);
        Optional<Brand> found = joinedWords(words, 1, asciiNames);
        return found.isPresent() ? found : alone(words, SENDER_ROLES, aloneNames);
    }

    /** The brand whose name-that-is-also-a-word the words spell once the sender's role words are left out. */
    private static Optional<Brand> alone(List<String> words, Set<String> roles, Map<String, Brand> names) {
        // a brand's name with a role or two ("The Ledger Support Team"); a longer display name is a sentence
        if (names.isEmpty() || words.size() > MAX_JOINED_WORDS + 3) {
            return Optional.empty();
        }
        StringBuilder rest = new StringBuilder();
        for (String w : words) {
            if (!roles.contains(w)) {
                rest.append(w);
            }
        }
        return Optional.ofNullable(names.get(rest.toString()));
    }

    /** A brand a display name shows, and whether in disguise ({@link #inDisplayNameDisguised}). */
    public record Named(Brand brand, boolean disguised) {
    }

    /**
     * The brand a display name shows, plainly ({@link #inDisplayName}) or, when it names none so, in disguise: what
     * the impersonation check and the link check (mail presenting itself as a brand) both ask.
     */
    public Optional<Named> named(String displayName) {
        Optional<Brand> plain = inDisplayName(displayName);
        if (plain.isPresent()) {
            return Optional.of(new Named(plain.get(), false));
        }
        return inDisplayNameDisguised(displayName).map(b -> new Named(b, true));
    }

    /**
     * The brand the message's From display name shows ({@link #named}), read after NFKC and with the addresses written
     * in it left out: an address written as the name ("taro@gmail.com") names its provider, not a brand. Computed once
     * per message for the analyzers that ask (impersonation, links).
     */
    public Optional<Named> namedByFrom(AnalysisInput input) {
        return input.memo().computeIfAbsent(namedByFrom, () -> input.message().header("From").flatMap(Mailbox::sender)
                .flatMap(from -> named(ADDRESS_IN_NAME.matcher(
                        Normalizer.normalize(from.displayName(), Normalizer.Form.NFKC)).replaceAll(" "))));
    }

    /**
     * The brand whose name a display name shows in disguise, for a display name in which {@link #inDisplayName} finds
     * none: letters replaced by look-alikes ({@code PayPaI} with a capital I, {@code Arnazon}, {@code Micr0soft},
     * Cyrillic {@code а} in {@code Аpple}; the names' confusable skeletons of UTS #39 compared with the display
     * name's), or spelt out letter by letter ({@code N e t f l i x}). Names shorter than {@value #MIN_DISGUISED_NAME}
     * letters are left out: three letters of a skeleton ({@code ups}, {@code dhl}) are met by chance.
     */
    public Optional<Brand> inDisplayNameDisguised(String displayName) {
        if (displayName == null || displayName.isBlank()) {
            return Optional.empty();
        }
        String nfkc = Normalizer.normalize(displayName, Normalizer.Form.NFKC);
        // as written (a capital I stands for l: PayPaI) and in lower case (the data maps m, not M, to rn: Micr0soft)
        List<String> asWritten = lettersJoined(words(SKELETONS.skeleton(nfkc)));
        Optional<Brand> found = joinedWords(asWritten, MIN_DISGUISED_NAME, skeletonNames);
        if (found.isPresent()) {
            return found;
        }
        List<String> lower = lettersJoined(words(SKELETONS.skeleton(nfkc.toLowerCase(Locale.ROOT))));
        found = joinedWords(lower, MIN_DISGUISED_NAME, skeletonNames);
        if (found.isPresent()) {
            return found;
        }
        found = alone(asWritten, SENDER_ROLE_SKELETONS, aloneSkeletons);
        return found.isPresent() ? found : alone(lower, SENDER_ROLE_SKELETONS, aloneSkeletons);
    }

    /** The words with each run of at least three one-letter words ("n e t f l i x") joined into one. */
    private static List<String> lettersJoined(List<String> words) {
        List<String> out = new ArrayList<>(words.size());
        int i = 0;
        while (i < words.size()) {
            int j = i;
            while (j < words.size() && words.get(j).length() == 1) {
                j++;
            }
            if (j - i >= 3) {
                out.add(String.join("", words.subList(i, j)));
                i = j;
            } else {
                out.add(words.get(i));
                i++;
            }
        }
        return out;
    }

    /**
     * The brand whose name is one of a host name's words (labels split at dots and hyphens, consecutive words
     * joined), e.g. PayPal for {@code paypal-secure.example} or {@code www.paypal.com.example.net}.
     */
    public Optional<Brand> inDomainName(String asciiHost) {
        List<String> words = new ArrayList<>();
        // a precompiled pattern: String.split compiles a regex of more than one character anew on every call, and
        // this runs for every link of a message that claims a brand
        for (String w : LABEL_SEPARATORS.split(asciiHost.toLowerCase(Locale.ROOT))) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        return joinedWords(words, MIN_DOMAIN_WORD, asciiNames);
    }

    /** The brand that owns a registrable domain, if any. */
    public Optional<Brand> owner(String registrableDomain) {
        return Optional.ofNullable(byDomain.get(registrableDomain));
    }

    /** Whether a domain (exactly, not its organisation) is a free mailbox provider's. */
    public boolean isFreemail(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        return freemail.contains(d.endsWith(".") ? d.substring(0, d.length() - 1) : d);
    }

    /** The first brand of {@code names} that consecutive words joined (at least {@code minLength} letters) spell. */
    private static Optional<Brand> joinedWords(List<String> words, int minLength, Map<String, Brand> names) {
        for (int i = 0; i < words.size(); i++) {
            StringBuilder joined = new StringBuilder();
            for (int j = i; j < Math.min(words.size(), i + MAX_JOINED_WORDS); j++) {
                joined.append(words.get(j));
                if (joined.length() >= minLength) {
                    Brand b = names.get(joined.toString());
                    if (b != null) {
                        return Optional.of(b);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** NFKC, lower case. */
    static String fold(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    }

    /** The runs of ASCII letters and digits of folded text. */
    private static List<String> words(String folded) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= folded.length(); i++) {
            char c = i < folded.length() ? folded.charAt(i) : ' ';
            boolean word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (word && start < 0) {
                start = i;
            } else if (!word && start >= 0) {
                words.add(folded.substring(start, i));
                start = -1;
            }
        }
        return words;
    }

    private static Brands load() {
        List<Brand> brands = new ArrayList<>();
        Map<String, Brand> ascii = new HashMap<>();
        Map<String, Brand> other = new java.util.LinkedHashMap<>();
        Map<String, Brand> skeletons = new HashMap<>();
        Map<String, Brand> alone = new HashMap<>();
        Map<String, Brand> aloneSkeletons = new HashMap<>();
        int number = 0;
        for (String line : lines("brands.tsv")) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t", -1);
            if (fields.length != 3 || fields[0].isBlank() || fields[1].isBlank() || fields[2].isBlank()) {
                throw new IllegalStateException("brands.tsv line " + number + ": expected name<TAB>names<TAB>domains");
            }
            Set<String> domains = new LinkedHashSet<>(List.of(fields[2].strip().toLowerCase(Locale.ROOT).split("\\s+")));
            Brand brand = new Brand(fields[0].strip(), domains);
            brands.add(brand);
            for (String name : fields[1].split("\\|")) {
                String folded = fold(name.strip());
                if (folded.startsWith("=")) {
                    // a name that is also an ordinary word: only the whole display name (never a domain's word)
                    String word = String.join("", words(folded));
                    if (word.isEmpty() || !folded.chars().allMatch(c -> c < 0x80)) {
                        throw new IllegalStateException("brands.tsv line " + number + ": '" + name.strip()
                                + "': a name alone must be of ASCII letters and digits");
                    }
                    alone.putIfAbsent(word, brand);
                    String skeleton = String.join("", words(SKELETONS.skeleton(folded)));
                    if (skeleton.length() >= MIN_DISGUISED_NAME) {
                        aloneSkeletons.putIfAbsent(skeleton, brand);
                    }
                    continue;
                }
                if (folded.isEmpty()) {
                    continue;
                }
                if (folded.chars().allMatch(c -> c < 0x80)) {
                    ascii.putIfAbsent(String.join("", words(folded)), brand);
                    // in file order, as the names: the first brand listed keeps a skeleton two names share
                    skeletons.putIfAbsent(String.join("", words(SKELETONS.skeleton(folded))), brand);
                } else {
                    other.putIfAbsent(folded, brand);
                }
            }
        }
        Set<String> freemail = new HashSet<>();
        for (String line : lines("freemail.txt")) {
            String d = line.strip().toLowerCase(Locale.ROOT);
            if (!d.isEmpty() && !d.startsWith("#")) {
                freemail.add(d);
            }
        }
        return new Brands(brands, ascii, other, skeletons, alone, aloneSkeletons, freemail);
    }

    private static List<String> lines(String resource) {
        try (InputStream in = Brands.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
