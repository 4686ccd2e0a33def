package io.mamori.core.classifier;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A statistical model of phishing and legitimate wording: for each token ({@link ContentTokens}), in how many
 * phishing and how many legitimate training messages it occurred, and how it scores a new message.
 *
 * <p>Scoring is the one spam filters have used since SpamBayes and that SpamAssassin's and bogofilter's Bayes
 * classifiers follow: Gary Robinson's per-token probability, pulled towards 0.5 for rarely seen tokens,
 * {@code f(w) = (s·x + n·p(w)) / (s + n)} with {@code p(w)} the token's phishing share corrected for the sizes of the
 * two training sets, {@code n} the messages it was seen in, {@code s} = {@value #STRENGTH}, {@code x} = 0.5; the
 * {@value #MAX_CLUES} tokens furthest from 0.5 (at least {@value #MIN_STRENGTH} away) are combined with Fisher's
 * chi-square method into a phishing indicator {@code S} and a legitimate indicator {@code H}, and the score is
 * {@code (1 + S − H) / 2}: near 1 phishing, near 0 legitimate, near 0.5 when the evidence is weak or mixed.
 * Written here (about a hundred lines) because no maintained Java library implements this scheme: general machine
 * learning libraries offer naive Bayes document classifiers, whose product of probabilities is overconfident on mail
 * and which cannot learn one message at a time from an analyst's decision.
 *
 * <p>Immutable and thread-safe; {@link Builder} learns.
 */
public final class ContentModel {

    static final String MAGIC = "# mamori content model 2";
    static final double STRENGTH = 0.45;
    static final double MIN_STRENGTH = 0.1;
    static final int MAX_CLUES = 150;
    /**
     * Most tokens a model holds: a model file with more is refused, and a {@link Builder} that grows past it forgets
     * its rarest tokens (as SpamAssassin expires Bayes tokens), so years of learning stay within some tens of MB.
     */
    public static final int MAX_TOKENS = 1_000_000;
    /** Most bytes a model file may hold: a million lines of at most 40 bytes, with room to spare. */
    static final long MAX_BYTES = 64L << 20;
    /** A model that has seen fewer messages of either kind than this gives no opinion. */
    public static final int MIN_MESSAGES = 50;

    /** An empty model: it has learnt nothing and gives no opinion. */
    public static final ContentModel EMPTY = new ContentModel(0, 0, Map.of());

    private final int phishingMessages;
    private final int legitimateMessages;
    /** hash of a token ({@link #key}) → {phishing count, legitimate count} */
    private final Map<Long, int[]> counts;

    private ContentModel(int phishingMessages, int legitimateMessages, Map<Long, int[]> counts) {
        this.phishingMessages = phishingMessages;
        this.legitimateMessages = legitimateMessages;
        this.counts = counts;
    }

    /**
     * How a message scored.
     *
     * @param probability     0 (legitimate) .. 1 (phishing)
     * @param phishingClues   the tokens that pulled most towards phishing, strongest first (at most five)
     * @param clues           how many tokens were combined
     */
    public record Score(double probability, List<String> phishingClues, int clues) {
    }

    public int phishingMessages() {
        return phishingMessages;
    }

    public int legitimateMessages() {
        return legitimateMessages;
    }

    public int tokens() {
        return counts.size();
    }

    /** Whether the model has seen enough of both kinds of mail to give an opinion. */
    public boolean trained() {
        return phishingMessages >= MIN_MESSAGES && legitimateMessages >= MIN_MESSAGES;
    }

    /**
     * What the model keeps of a token: 64 bits of its MurmurHash3, never the word itself, so that a model learnt from
     * an organisation's mail (released and deleted messages included) holds no readable words of it — as SpamAssassin's
     * Bayes database keeps 40 bits of a SHA-1. A dictionary can still test whether a given word was seen; a collision
     * of two words is rare (about one in 10^10 pairs) and only blends their counts.
     */
    static long key(String token) {
        byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
        return org.apache.commons.codec.digest.MurmurHash3.hash128x64(bytes, 0, bytes.length, 0)[0];
    }

    /** Robinson's probability that a message holding this token is phishing, or 0.5 for an unknown token. */
    double tokenProbability(String token) {
        int[] c = counts.get(key(token));
        if (c == null) {
            return 0.5;
        }
        double phishingRatio = c[0] / (double) Math.max(1, phishingMessages);
        double legitimateRatio = c[1] / (double) Math.max(1, legitimateMessages);
        double p = phishingRatio / (phishingRatio + legitimateRatio);
        int n = c[0] + c[1];
        return (STRENGTH * 0.5 + n * p) / (STRENGTH + n);
    }

    /** Scores the tokens of one message. */
    public Score score(Collection<String> tokens) {
        record Clue(String token, double f) {
        }
        List<Clue> clues = new ArrayList<>();
        for (String t : tokens) {
            double f = tokenProbability(t);
            if (Math.abs(f - 0.5) >= MIN_STRENGTH) {
                clues.add(new Clue(t, f));
            }
        }
        clues.sort(Comparator.comparingDouble((Clue c) -> Math.abs(c.f() - 0.5)).reversed().thenComparing(Clue::token));
        if (clues.size() > MAX_CLUES) {
            clues = clues.subList(0, MAX_CLUES);
        }
        if (clues.isEmpty()) {
            return new Score(0.5, List.of(), 0);
        }
        double lnPhishing = 0; // ln of the product of (1 - f): small when the clues say phishing
        double lnLegitimate = 0; // ln of the product of f: small when the clues say legitimate
        for (Clue c : clues) {
            double f = Math.min(0.99, Math.max(0.01, c.f()));
            lnPhishing += Math.log(1 - f);
            lnLegitimate += Math.log(f);
        }
        int n = clues.size();
        double s = 1 - chi2Q(-2 * lnPhishing, 2 * n);
        double h = 1 - chi2Q(-2 * lnLegitimate, 2 * n);
        double probability = (1 + s - h) / 2;
        List<String> phishing = clues.stream().filter(c -> c.f() > 0.5)
                .sorted(Comparator.comparingDouble(Clue::f).reversed().thenComparing(Clue::token))
                .limit(5).map(Clue::token).toList();
        return new Score(probability, phishing, n);
    }

    /** The probability that a chi-square variable with {@code v} (even) degrees of freedom is at least {@code x2}. */
    static double chi2Q(double x2, int v) {
        double m = x2 / 2;
        double term = Math.exp(-m);
        double sum = term;
        for (int i = 1; i < v / 2; i++) {
            term *= m / i;
            sum += term;
        }
        return Math.min(sum, 1.0);
    }

    /**
     * Writes the model as UTF-8 text: a header line, {@code messages<TAB>phishing<TAB>legitimate}, then one
     * {@code key<TAB>phishing<TAB>legitimate} line per token seen in at least {@code minCount} messages, the key being
     * the token's hash ({@link #key}) in 16 hexadecimal digits, sorted, so that two trainings on the same mail give the
     * same file.
     */
    public void write(OutputStream out, int minCount) throws IOException {
        BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        w.write(MAGIC + "\n");
        w.write("messages\t" + phishingMessages + "\t" + legitimateMessages + "\n");
        List<Long> keys = new ArrayList<>(counts.keySet());
        keys.sort(Long::compareUnsigned);
        for (Long k : keys) {
            int[] c = counts.get(k);
            if (c[0] + c[1] >= minCount) {
                w.write(hex(k) + "\t" + c[0] + "\t" + c[1] + "\n");
            }
        }
        w.flush();
    }

    static String hex(long key) {
        String h = Long.toHexString(key);
        return "0".repeat(16 - h.length()) + h;
    }

    /** Reads a model {@link #write} wrote; a malformed file is refused with the line that is wrong. */
    public static ContentModel read(InputStream in, String source) throws IOException {
        // bounded, so that a huge file or a single endless line (a gzip bomb, a wrong file) is an error, not the heap
        InputStream bounded = org.apache.commons.io.input.BoundedInputStream.builder().setInputStream(in)
                .setMaxCount(MAX_BYTES).setPropagateClose(false)
                .setOnMaxCount((max, count) -> {
                    throw new IOException(source + ": larger than " + (max >> 20) + " MB: not a model this gateway reads");
                }).get();
        BufferedReader r = new BufferedReader(new InputStreamReader(bounded, StandardCharsets.UTF_8));
        String line = r.readLine();
        if (!MAGIC.equals(line)) {
            throw new IOException(source + ": not a Mamori content model (first line must be '" + MAGIC + "')");
        }
        line = r.readLine();
        String[] m = line == null ? new String[0] : line.split("\t");
        if (m.length != 3 || !"messages".equals(m[0])) {
            throw new IOException(source + ":2: expected 'messages<TAB>phishing<TAB>legitimate'");
        }
        int phishing = count(m[1], source, 2);
        int legitimate = count(m[2], source, 2);
        Map<Long, int[]> counts = new HashMap<>();
        int lineNo = 2;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length != 3 || f[0].length() != 16) {
                throw new IOException(source + ":" + lineNo + ": expected 'key<TAB>phishing<TAB>legitimate' (a key of 16 hex digits)");
            }
            long key;
            try {
                key = Long.parseUnsignedLong(f[0], 16);
            } catch (NumberFormatException e) {
                throw new IOException(source + ":" + lineNo + ": '" + f[0] + "' is not a key of 16 hex digits");
            }
            int p = count(f[1], source, lineNo);
            int l = count(f[2], source, lineNo);
            if (p > phishing || l > legitimate) {
                throw new IOException(source + ":" + lineNo + ": a token counted in more messages than the model has");
            }
            if (counts.size() >= MAX_TOKENS) {
                throw new IOException(source + ":" + lineNo + ": more than " + MAX_TOKENS + " tokens: not a model this"
                        + " gateway reads (mamori learn keeps fewer)");
            }
            if (counts.put(key, new int[] {p, l}) != null) {
                throw new IOException(source + ":" + lineNo + ": key " + f[0] + " appears twice");
            }
        }
        return new ContentModel(phishing, legitimate, counts);
    }

    private static int count(String s, String source, int line) throws IOException {
        try {
            int v = Integer.parseInt(s);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IOException(source + ":" + line + ": '" + s + "' is not a count");
        }
    }

    /** Learns messages one at a time, starting empty or from a model; not thread-safe. */
    public static final class Builder {
        private int phishing;
        private int legitimate;
        private final Map<Long, int[]> counts = new HashMap<>();

        public Builder() {
        }

        public Builder(ContentModel start) {
            Objects.requireNonNull(start, "start");
            phishing = start.phishingMessages;
            legitimate = start.legitimateMessages;
            start.counts.forEach((t, c) -> counts.put(t, c.clone()));
        }

        /** Learns one message's tokens as phishing or legitimate. */
        public Builder learn(Collection<String> tokens, boolean isPhishing) {
            int k = isPhishing ? 0 : 1;
            if (isPhishing) {
                phishing++;
            } else {
                legitimate++;
            }
            for (String t : tokens) {
                counts.computeIfAbsent(key(t), x -> new int[2])[k]++;
            }
            if (counts.size() > MAX_TOKENS) {
                forgetRarest();
            }
            return this;
        }

        /**
         * Drops the tokens seen in the fewest messages (once, then twice, …) until at most 80 % of {@link #MAX_TOKENS}
         * remain: a token seen once says little, and most of a large vocabulary has been seen once.
         */
        private void forgetRarest() {
            for (int seen = 1; counts.size() > MAX_TOKENS * 4 / 5; seen++) {
                int limit = seen;
                counts.values().removeIf(c -> c[0] + c[1] <= limit);
            }
        }

        /** How many tokens the builder holds. */
        public int tokens() {
            return counts.size();
        }

        public ContentModel build() {
            Map<Long, int[]> copy = new HashMap<>(counts.size() * 4 / 3 + 1);
            counts.forEach((t, c) -> copy.put(t, c.clone()));
            return new ContentModel(phishing, legitimate, copy);
        }
    }
}
