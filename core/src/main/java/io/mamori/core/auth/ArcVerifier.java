package io.mamori.core.auth;

import io.mamori.core.auth.DkimSignatures.KeyAnswer;
import io.mamori.core.auth.DkimSignatures.Malformed;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ARC chain validation (RFC 8617 §5.2): structure of the sets, the newest ARC-Message-Signature, then every
 * ARC-Seal from the newest to the oldest. Hand-written: no maintained Java ARC library exists; it shares
 * the DKIM canonicalization and key handling of {@link DkimSignatures}.
 *
 * <p>Like DKIM it works in two steps around one body pass: {@link #prepare} returns the body hasher of the
 * newest ARC-Message-Signature (if the structure is sound), {@link #finish} decides. Stateless, thread-safe.
 */
final class ArcVerifier {

    static final int MAX_INSTANCES = 50;
    private static final Pattern AAR_INSTANCE = Pattern.compile("[ \t\r\n]*i[ \t\r\n]*=[ \t\r\n]*(\\d+)[ \t\r\n]*;(.*)", Pattern.DOTALL);
    private static final Pattern INSTANCE = Pattern.compile("[1-9]\\d{0,2}");

    /** The sets read from the header, or the structural failure. */
    static final class Chain {
        ArcResult decided;
        final TreeMap<Integer, RawMail.Field[]> sets = new TreeMap<>();
        final Map<Integer, Map<String, String>> sealTags = new TreeMap<>();
        final Map<Integer, String> aar = new TreeMap<>();
        DkimVerifier.Check newestAms;

        List<ArcResult.ArcSet> summary() {
            List<ArcResult.ArcSet> out = new ArrayList<>();
            for (int i : sets.keySet()) {
                Map<String, String> t = sealTags.get(i);
                out.add(new ArcResult.ArcSet(i, t == null ? "" : t.getOrDefault("d", "").toLowerCase(Locale.ROOT),
                        aar.getOrDefault(i, "").strip()));
            }
            return out;
        }
    }

    private final DnsResolver dns;
    private final DkimVerifier dkim;

    ArcVerifier(DnsResolver dns, DkimVerifier dkim) {
        this.dns = dns;
        this.dkim = dkim;
    }

    Chain prepare(RawMail mail) {
        Chain chain = new Chain();
        List<RawMail.Field> seals = mail.fields("ARC-Seal");
        List<RawMail.Field> sigs = mail.fields("ARC-Message-Signature");
        List<RawMail.Field> results = mail.fields("ARC-Authentication-Results");
        if (seals.isEmpty() && sigs.isEmpty() && results.isEmpty()) {
            chain.decided = new ArcResult(ArcResult.Kind.NONE, List.of(), "");
            return chain;
        }
        try {
            collect(chain, results, 0);
            collect(chain, sigs, 1);
            collect(chain, seals, 2);
            int n = chain.sets.isEmpty() ? 0 : chain.sets.lastKey();
            if (n > MAX_INSTANCES) {
                throw new Malformed("more than " + MAX_INSTANCES + " ARC sets");
            }
            for (int i = 1; i <= n; i++) {
                RawMail.Field[] set = chain.sets.get(i);
                if (set == null || set[0] == null || set[1] == null || set[2] == null) {
                    throw new Malformed("ARC set " + i + " is incomplete");
                }
            }
            if (chain.sets.size() != n) {
                throw new Malformed("ARC instances are not 1.." + n);
            }
            for (int i = 1; i <= n; i++) {
                Map<String, String> t = DkimSignatures.tags(chain.sets.get(i)[2].value());
                for (String required : List.of("a", "b", "cv", "d", "i", "s")) {
                    if (!t.containsKey(required)) {
                        throw new Malformed("ARC-Seal " + i + " lacks " + required + "=");
                    }
                }
                if (t.containsKey("h")) {
                    throw new Malformed("ARC-Seal " + i + " has h=");
                }
                chain.sealTags.put(i, t);
            }
            String newestCv = chain.sealTags.get(n).get("cv").toLowerCase(Locale.ROOT);
            if (newestCv.equals("fail")) {
                chain.decided = fail(chain, "the newest sealer saw a failed chain (cv=fail)");
                return chain;
            }
            for (int i = 1; i <= n; i++) {
                String cv = chain.sealTags.get(i).get("cv").toLowerCase(Locale.ROOT);
                if (i == 1 ? !cv.equals("none") : !cv.equals("pass")) {
                    throw new Malformed("ARC-Seal " + i + " has cv=" + cv);
                }
            }
            RawMail.Field ams = chain.sets.get(n)[1];
            DkimVerifier.Check c = new DkimVerifier.Check(ams);
            Map<String, String> t = DkimSignatures.tags(ams.value());
            c.tags = t;
            c.domain = t.getOrDefault("d", "").toLowerCase(Locale.ROOT);
            c.selector = t.getOrDefault("s", "");
            c.algorithm = t.getOrDefault("a", "");
            for (String required : List.of("a", "b", "bh", "d", "h", "i", "s")) {
                if (!t.containsKey(required)) {
                    throw new Malformed("ARC-Message-Signature " + n + " lacks " + required + "=");
                }
            }
            if (DkimVerifier.headerNames(t.get("h"), true).stream().anyMatch(x -> x.equalsIgnoreCase("arc-seal"))) {
                throw new Malformed("ARC-Message-Signature " + n + " signs ARC-Seal");
            }
            DkimVerifier.checkCommon(c, t, dkim.settings(), true);
            chain.newestAms = c;
        } catch (Malformed e) {
            chain.decided = fail(chain, e.getMessage());
        }
        return chain;
    }

    private static ArcResult fail(Chain chain, String reason) {
        return new ArcResult(ArcResult.Kind.FAIL, chain.summary(), reason);
    }

    private static void collect(Chain chain, List<RawMail.Field> fields, int slot) throws Malformed {
        for (RawMail.Field f : fields) {
            int instance;
            if (slot == 0) {
                Matcher m = AAR_INSTANCE.matcher(f.value());
                if (!m.matches()) {
                    throw new Malformed("ARC-Authentication-Results without i=");
                }
                instance = parseInstance(m.group(1));
                chain.aar.put(instance, m.group(2));
            } else {
                String i = DkimSignatures.tags(f.value()).get("i");
                if (i == null) {
                    throw new Malformed("ARC header field without i=");
                }
                instance = parseInstance(i);
            }
            RawMail.Field[] set = chain.sets.computeIfAbsent(instance, k -> new RawMail.Field[3]);
            if (set[slot] != null) {
                throw new Malformed("two ARC header fields of one kind for instance " + instance);
            }
            set[slot] = f;
        }
    }

    private static int parseInstance(String s) throws Malformed {
        if (!INSTANCE.matcher(s).matches()) {
            throw new Malformed("bad ARC instance '" + s + "'");
        }
        int i = Integer.parseInt(s);
        if (i > MAX_INSTANCES) {
            throw new Malformed("ARC instance " + i + " above " + MAX_INSTANCES);
        }
        return i;
    }

    ArcResult finish(Chain chain, RawMail mail) {
        if (chain.decided != null) {
            return chain.decided;
        }
        int n = chain.sets.lastKey();
        try {
            DkimResult ams = chain.newestAms.decided != null ? chain.newestAms.decided
                    : dkim.verify(chain.newestAms, mail, chain.newestAms.tags.get("h"), true);
            if (ams.kind() == DkimResult.Kind.TEMPERROR) {
                return new ArcResult(ArcResult.Kind.TEMPERROR, chain.summary(), ams.reason());
            }
            if (ams.kind() != DkimResult.Kind.PASS) {
                return fail(chain, "ARC-Message-Signature " + n + ": " + ams.reason());
            }
            for (int i = n; i >= 1; i--) {
                ArcResult seal = seal(chain, i);
                if (seal != null) {
                    return seal;
                }
            }
        } catch (Malformed e) {
            return fail(chain, e.getMessage());
        }
        return new ArcResult(ArcResult.Kind.PASS, chain.summary(), "");
    }

    /** Checks ARC-Seal {@code i} (RFC 8617 §5.1.1); {@code null} if valid. */
    private ArcResult seal(Chain chain, int i) throws Malformed {
        Map<String, String> t = chain.sealTags.get(i);
        String a = t.get("a");
        if (!a.equals("rsa-sha256") && !a.equals("ed25519-sha256")) {
            return fail(chain, "ARC-Seal " + i + " uses " + a);
        }
        StringBuilder data = new StringBuilder();
        for (int j = 1; j <= i; j++) {
            RawMail.Field[] set = chain.sets.get(j);
            data.append(DkimSignatures.canonicalHeader(set[0], true));
            data.append(DkimSignatures.canonicalHeader(set[1], true));
            RawMail.Field seal = j == i ? DkimSignatures.withoutSignature(set[2]) : set[2];
            data.append(DkimSignatures.canonicalHeader(seal, true));
        }
        data.setLength(data.length() - 2);
        KeyAnswer key = DkimSignatures.key(dns, t.get("s"), t.get("d").toLowerCase(Locale.ROOT),
                a.startsWith("ed25519") ? "ed25519" : "rsa", "sha256");
        if (key instanceof KeyAnswer.TempFail tf) {
            return new ArcResult(ArcResult.Kind.TEMPERROR, chain.summary(), tf.reason());
        }
        if (key instanceof KeyAnswer.PermFail pf) {
            return fail(chain, "ARC-Seal " + i + ": " + pf.reason());
        }
        KeyAnswer.Found found = (KeyAnswer.Found) key;
        if (!DkimSignatures.verify(a, found.key(), data.toString(), DkimSignatures.base64(t.get("b"), "b="))) {
            return fail(chain, "ARC-Seal " + i + " did not verify");
        }
        return null;
    }
}
