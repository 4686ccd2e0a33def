package io.mamori.core.auth;

import io.mamori.core.auth.DkimResult.Kind;
import io.mamori.core.auth.DkimSignatures.KeyAnswer;
import io.mamori.core.auth.DkimSignatures.Malformed;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * DKIM signature verification (RFC 6376 §6), rsa-sha256 and ed25519-sha256 (RFC 8463), with the RFC 8301
 * rules by default: rsa-sha1 signatures and RSA keys under 1024 bits are not valid (reported as
 * {@code policy}); so is a signature whose {@code l=} leaves part of the body unsigned (RFC 6376 §8.2). Works in steps so that one pass over the body serves every signature:
 * {@link #prepare} reads the signature fields and sets up a body hasher for each, {@link #fetchKey} fetches each
 * one's key (a signature whose key cannot be had is decided then, and its body need not be hashed), the caller feeds
 * the body to the {@link Check#hasher()} of each signature still undecided, then {@link #finish} checks hashes and
 * signatures.
 *
 * <p>Stateless and thread-safe.
 */
final class DkimVerifier {

    /**
     * @param allowRsaSha1  accept rsa-sha1 (RFC 6376) although RFC 8301 §3.1 forbids it; only for old test vectors
     * @param minRsaBits    smallest RSA key accepted (RFC 8301 §3.2: 1024)
     * @param maxSignatures signatures looked at per message (the rest are ignored), bounding the work
     */
    record Settings(boolean allowRsaSha1, int minRsaBits, int maxSignatures) {
        static final Settings RFC_8301 = new Settings(false, 1024, 8);
    }

    /** One signature being verified; {@code decided} is set when it failed before the body was needed. */
    static final class Check {
        final RawMail.Field field;
        Map<String, String> tags;
        BodyHasher hasher;
        DkimResult decided;
        KeyAnswer.Found key;
        String domain = "";
        String selector = "";
        String algorithm = "";
        String headerB = "";
        long length = -1;

        Check(RawMail.Field field) {
            this.field = field;
        }

        BodyHasher hasher() {
            return hasher;
        }

        DkimResult result(Kind kind, String reason) {
            return new DkimResult(kind, domain, selector, algorithm, headerB, reason);
        }
    }

    private static final Pattern NUMBER = Pattern.compile("\\d{1,18}");

    private final DnsResolver dns;
    private final Clock clock;
    private final Settings settings;

    DkimVerifier(DnsResolver dns, Clock clock, Settings settings) {
        this.dns = dns;
        this.clock = clock;
        this.settings = settings;
    }

    List<Check> prepare(RawMail mail) {
        List<Check> checks = new ArrayList<>();
        for (RawMail.Field f : mail.fields("DKIM-Signature")) {
            if (checks.size() == settings.maxSignatures()) {
                break;
            }
            Check c = new Check(f);
            checks.add(c);
            try {
                parse(c);
            } catch (Malformed e) {
                c.decided = c.result(Kind.PERMERROR, e.getMessage());
            }
        }
        return checks;
    }

    private void parse(Check c) throws Malformed {
        Map<String, String> t = DkimSignatures.tags(c.field.value());
        c.tags = t;
        c.domain = t.getOrDefault("d", "").toLowerCase(Locale.ROOT);
        c.selector = t.getOrDefault("s", "");
        c.algorithm = t.getOrDefault("a", "");
        c.headerB = DkimSignatures.noWhitespace(t.getOrDefault("b", ""));
        c.headerB = c.headerB.substring(0, Math.min(8, c.headerB.length()));
        for (String required : List.of("v", "a", "b", "bh", "d", "h", "s")) {
            if (!t.containsKey(required)) {
                throw new Malformed("signature lacks " + required + "=");
            }
        }
        // The reasons name the problem, never the value: a reason goes into our Authentication-Results as a
        // comment, and a value is the sender's text (v=1 dkim=pass header.d=bank.example, say).
        if (!t.get("v").equals("1")) {
            throw new Malformed("signature version is not 1");
        }
        checkCommon(c, t, settings, false);
        if (t.containsKey("i")) {
            String i = DkimSignatures.quotedPrintable(t.get("i"));
            String idomain = i.substring(i.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
            if (!i.contains("@") || !(idomain.equals(c.domain) || idomain.endsWith("." + c.domain))) {
                throw new Malformed("i= is not within d=");
            }
        }
        String q = t.get("q");
        if (q != null && !List.of(DkimSignatures.noWhitespace(q).split(":")).contains("dns/txt")) {
            throw new Malformed("unsupported query method in q=");
        }
        long now = clock.instant().getEpochSecond();
        Long x = number(t.get("x"), "x");
        Long ts = number(t.get("t"), "t");
        if (x != null && ts != null && x < ts) {
            throw new Malformed("x= before t=");
        }
        if (x != null && x < now) {
            c.decided = c.result(Kind.FAIL, "signature expired");
        }
    }

    /** Checks shared with ARC-Message-Signature: algorithm, canonicalization, h=, l=; sets up the body hasher. */
    static void checkCommon(Check c, Map<String, String> t, Settings settings, boolean arc) throws Malformed {
        String a = c.algorithm;
        if (!a.equals("rsa-sha256") && !a.equals("ed25519-sha256") && !a.equals("rsa-sha1")) {
            throw new Malformed("unknown algorithm in a=");
        }
        if (c.domain.isEmpty() || c.selector.isEmpty()) {
            throw new Malformed("empty d= or s=");
        }
        String canon = canonicalization(t, arc);
        String[] parts = canon.split("/", -1);
        if (parts.length > 2 || !canonName(parts[0]) || (parts.length == 2 && !canonName(parts[1]))) {
            throw new Malformed("unknown canonicalization in c=");
        }
        boolean relaxedBody = parts.length == 2 && parts[1].equals("relaxed");
        List<String> h = headerNames(t.get("h"), arc);
        if (!arc && h.stream().noneMatch(n -> n.equalsIgnoreCase("from"))) {
            throw new Malformed("h= does not sign From");
        }
        Long l = number(t.get("l"), "l");
        c.length = l == null ? -1 : l;
        DkimSignatures.base64(t.get("bh"), "bh=");
        DkimSignatures.base64(t.get("b"), "b=");
        c.hasher = new BodyHasher(relaxedBody, a.endsWith("sha1") ? "SHA-1" : "SHA-256", c.length);
        if (a.equals("rsa-sha1") && !settings.allowRsaSha1()) {
            c.decided = c.result(Kind.POLICY, "rsa-sha1 is not accepted (RFC 8301)");
        }
    }

    /**
     * Names in {@code h=}. For an ARC-Message-Signature, empty names (and an empty list) are allowed and
     * sign nothing, as the ARC test suite of the RFC 8617 authors expects; DKIM refuses them.
     */
    static List<String> headerNames(String h, boolean arc) throws Malformed {
        if (!arc && (h == null || h.isBlank())) {
            throw new Malformed("empty h=");
        }
        List<String> names = new ArrayList<>();
        for (String n : DkimSignatures.noWhitespace(h == null ? "" : h).split(":", -1)) {
            if (n.isEmpty()) {
                if (arc) {
                    continue;
                }
                throw new Malformed("empty name in h=");
            }
            names.add(n);
        }
        return names;
    }

    /**
     * {@code c=}, defaulting to simple/simple for DKIM (RFC 6376 §3.5) and to relaxed/relaxed for an
     * ARC-Message-Signature, which is what ARC signers write and the ARC test suite expects.
     */
    static String canonicalization(Map<String, String> t, boolean arc) {
        return t.getOrDefault("c", arc ? "relaxed/relaxed" : "simple/simple");
    }

    private static boolean canonName(String s) {
        return s.equals("simple") || s.equals("relaxed");
    }

    private static Long number(String v, String tag) throws Malformed {
        if (v == null) {
            return null;
        }
        if (!NUMBER.matcher(v).matches()) {
            throw new Malformed("bad " + tag + "=");
        }
        return Long.parseLong(v);
    }

    /** After the body went through every hasher: the result of one signature. */
    DkimResult finish(Check c, RawMail mail) {
        if (c.decided != null) {
            return c.decided;
        }
        try {
            return verify(c, mail, c.tags.get("h"), false);
        } catch (Malformed e) {
            return c.result(Kind.PERMERROR, e.getMessage());
        }
    }

    /**
     * Sends the question for the key of a signature not yet decided without waiting, so that the keys of all a
     * message's signatures go out together and {@link #fetchKey} finds the answer. Only through a message's own cache
     * ({@link CachingDnsResolver}, as sender authentication gives): through any other resolver {@link #fetchKey} would
     * ask again, so nothing is sent ahead.
     */
    void askForKey(Check c) {
        if (c.decided == null && c.key == null && dns instanceof CachingDnsResolver) {
            dns.lookupAsync(DkimSignatures.keyName(c.selector, c.domain), DnsResolver.Type.TXT);
        }
    }

    /**
     * The public key of a signature not yet decided (RFC 6376 §6.1.2), fetched before its body is hashed: a key that
     * cannot be fetched decides the signature (TEMPERROR or PERMERROR) and spares the body pass. Once per signature.
     */
    void fetchKey(Check c) {
        if (c.decided != null || c.key != null) {
            return;
        }
        KeyAnswer key = DkimSignatures.key(dns, c.selector, c.domain, keyType(c), c.algorithm.endsWith("sha1") ? "sha1" : "sha256");
        if (key instanceof KeyAnswer.TempFail t) {
            c.decided = c.result(Kind.TEMPERROR, t.reason());
        } else if (key instanceof KeyAnswer.PermFail p) {
            c.decided = c.result(Kind.PERMERROR, p.reason());
        } else {
            c.key = (KeyAnswer.Found) key;
        }
    }

    private static String keyType(Check c) {
        return c.algorithm.startsWith("ed25519") ? "ed25519" : "rsa";
    }

    /**
     * Key, body hash and signature of a DKIM-Signature or ARC-Message-Signature, in the order of RFC 6376 §6.1: the
     * public key first (§6.1.2), so a key that cannot be fetched is a temporary or permanent error whatever the body
     * (a DNS time-out is never a failure), then the body hash and the signature (§6.1.3).
     */
    DkimResult verify(Check c, RawMail mail, String h, boolean arc) throws Malformed {
        fetchKey(c);
        if (c.decided != null) {
            return c.decided;
        }
        byte[] bodyHash = c.hasher.finish();
        if (c.length >= 0 && c.hasher.canonicalLength() < c.length) {
            return c.result(Kind.FAIL, "l= is longer than the body");
        }
        if (!MessageDigest.isEqual(bodyHash, DkimSignatures.base64(c.tags.get("bh"), "bh="))) {
            return c.result(Kind.FAIL, "body hash mismatch");
        }
        KeyAnswer.Found found = c.key;
        String keyType = keyType(c);
        if (!arc && found.tags().containsKey("t") && c.tags.containsKey("i")
                && List.of(DkimSignatures.noWhitespace(found.tags().get("t")).split(":")).contains("s")) {
            String i = DkimSignatures.quotedPrintable(c.tags.get("i"));
            if (!i.substring(i.lastIndexOf('@') + 1).equalsIgnoreCase(c.domain)) {
                return c.result(Kind.PERMERROR, "key is strict (t=s) but i= is a subdomain");
            }
        }
        String canon = canonicalization(c.tags, arc);
        boolean relaxedHeader = canon.startsWith("relaxed");
        StringBuilder data = new StringBuilder();
        for (RawMail.Field f : DkimSignatures.selectFields(mail.fields(), headerNames(h, arc))) {
            data.append(DkimSignatures.canonicalHeader(f, relaxedHeader));
        }
        String self = DkimSignatures.canonicalHeader(DkimSignatures.withoutSignature(c.field), relaxedHeader);
        data.append(self, 0, self.length() - 2);
        boolean valid = DkimSignatures.verify(c.algorithm, found.key(), data.toString(),
                DkimSignatures.base64(c.tags.get("b"), "b="));
        if (!valid) {
            return c.result(Kind.FAIL, "signature did not verify");
        }
        if (keyType.equals("rsa") && found.bits() < settings.minRsaBits()) {
            return c.result(Kind.POLICY, "RSA key of " + found.bits() + " bits is too short (RFC 8301)");
        }
        if (!arc && c.length >= 0 && c.hasher.canonicalLength() > c.length) {
            // RFC 6376 §8.2: whatever follows the signed length (a link, new instructions) is anyone's, and a pass
            // would let it through as the signer's, aligned for DMARC; "policy" (RFC 8601 §2.7.1) says the signature
            // verified but is not accepted, so it counts as no signature and the finding shows why
            return c.result(Kind.POLICY, "l= signs only part of the body (RFC 6376 section 8.2)");
        }
        return c.result(Kind.PASS, "");
    }

    Settings settings() {
        return settings;
    }
}
