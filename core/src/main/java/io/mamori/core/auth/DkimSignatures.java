package io.mamori.core.auth;

import io.mamori.core.auth.DnsResolver.Type;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What DKIM (RFC 6376) and ARC (RFC 8617) signatures share: tag lists, header canonicalization, key
 * records and the signature check for rsa-sha256 and ed25519-sha256 (RFC 8463).
 *
 * <p>Hand-written because Apache jDKIM 0.5 verifies RSA only (its {@code SigningAlgorithm} has no Ed25519),
 * which RFC 8463 §5 says verifiers MUST implement, and because no Java library verifies ARC, whose seals
 * need the same canonicalization over a different choice of header fields. The JDK provides the
 * cryptography (SHA256withRSA, Ed25519 since Java 15). Stateless and thread-safe.
 */
final class DkimSignatures {

    private static final Pattern TAG_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Pattern WSP = Pattern.compile("[ \t\r\n]+");
    private static final Pattern BLANKS = Pattern.compile("[ \t]+");
    /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); DNS carries the bare 32-byte key. */
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private DkimSignatures() {
    }

    /** A malformed tag list or signature: permerror. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** Tag list of RFC 6376 §3.2: tag names case-sensitive, duplicates refused, FWS around values trimmed. */
    static Map<String, String> tags(String value) throws Malformed {
        Map<String, String> tags = new LinkedHashMap<>();
        String[] specs = value.split(";", -1);
        for (int i = 0; i < specs.length; i++) {
            String spec = specs[i];
            if (spec.isBlank()) {
                if (i == specs.length - 1) {
                    break; // a trailing ';' is allowed
                }
                throw new Malformed("empty tag");
            }
            int eq = spec.indexOf('=');
            if (eq < 0) {
                // as everywhere in DKIM reasons, the sender's text is not repeated (see DkimVerifier)
                throw new Malformed("tag without '='");
            }
            String name = strip(spec.substring(0, eq));
            if (!TAG_NAME.matcher(name).matches()) {
                throw new Malformed("bad tag name");
            }
            if (tags.put(name, strip(spec.substring(eq + 1))) != null) {
                throw new Malformed("duplicate tag " + name);
            }
        }
        return tags;
    }

    private static String strip(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && " \t\r\n".indexOf(s.charAt(a)) >= 0) {
            a++;
        }
        while (b > a && " \t\r\n".indexOf(s.charAt(b - 1)) >= 0) {
            b--;
        }
        return s.substring(a, b);
    }

    static String noWhitespace(String s) {
        return WSP.matcher(s).replaceAll("");
    }

    static byte[] base64(String s, String what) throws Malformed {
        try {
            return Base64.getDecoder().decode(noWhitespace(s));
        } catch (IllegalArgumentException e) {
            throw new Malformed("bad base64 in " + what);
        }
    }

    /** The header field canonicalized (§3.4.1 simple, §3.4.2 relaxed), with a final CRLF. */
    static String canonicalHeader(RawMail.Field f, boolean relaxed) {
        if (!relaxed) {
            return f.raw();
        }
        String raw = f.raw();
        int colon = raw.indexOf(':');
        String name = raw.substring(0, colon).toLowerCase(Locale.ROOT).strip();
        String value = raw.substring(colon + 1).replace("\r\n", "");
        value = BLANKS.matcher(value).replaceAll(" ").strip();
        return name + ":" + value + "\r\n";
    }

    /** The field with the value of its {@code b=} tag removed (§3.5 "b="), everything else untouched. */
    static RawMail.Field withoutSignature(RawMail.Field f) {
        String raw = f.raw();
        int colon = raw.indexOf(':');
        String value = raw.substring(colon + 1);
        StringBuilder out = new StringBuilder(raw.substring(0, colon + 1));
        int start = 0;
        while (start <= value.length()) {
            int semi = value.indexOf(';', start);
            int end = semi < 0 ? value.length() : semi;
            String spec = value.substring(start, end);
            int eq = spec.indexOf('=');
            if (eq >= 0 && strip(spec.substring(0, eq)).equals("b")) {
                out.append(spec, 0, eq + 1);
                // keep the CRLF that ends the field when b= is the last tag
                if (semi < 0 && spec.endsWith("\r\n")) {
                    out.append("\r\n");
                }
            } else {
                out.append(spec);
            }
            if (semi < 0) {
                break;
            }
            out.append(';');
            start = semi + 1;
        }
        return new RawMail.Field(f.name(), out.toString());
    }

    /**
     * The fields named in {@code h=}, each occurrence of a name taking the next instance from the bottom up
     * (§5.4.2); names with no instance left contribute nothing.
     */
    static List<RawMail.Field> selectFields(List<RawMail.Field> all, List<String> names) {
        Map<String, Integer> used = new HashMap<>();
        List<RawMail.Field> out = new ArrayList<>();
        for (String name : names) {
            String n = name.toLowerCase(Locale.ROOT);
            int skip = used.getOrDefault(n, 0);
            int seen = 0;
            for (int i = all.size() - 1; i >= 0; i--) {
                RawMail.Field f = all.get(i);
                if (f.lowerName().equals(n)) {
                    if (seen++ == skip) {
                        out.add(f);
                        break;
                    }
                }
            }
            used.put(n, skip + 1);
        }
        return out;
    }

    /** A public key from DNS, or why there is none. */
    sealed interface KeyAnswer {
        record Found(PublicKey key, Map<String, String> tags, int bits) implements KeyAnswer {
        }

        record TempFail(String reason) implements KeyAnswer {
        }

        record PermFail(String reason) implements KeyAnswer {
        }
    }

    /** DKIM quoted-printable (RFC 6376 §2.11), as in {@code i=} and {@code z=}. */
    static String quotedPrintable(String s) throws Malformed {
        StringBuilder out = new StringBuilder();
        String v = noWhitespace(s);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '=') {
                if (i + 2 >= v.length()) {
                    throw new Malformed("bad quoted-printable");
                }
                try {
                    out.append((char) Integer.parseInt(v.substring(i + 1, i + 3), 16));
                } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                    throw new Malformed("bad quoted-printable");
                }
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Where a signature's public key is published (§3.6.2.1). */
    static String keyName(String selector, String domain) {
        return selector + "._domainkey." + domain;
    }

    /** Fetches and parses {@code selector._domainkey.domain} (§3.6.1, §3.6.2.2) for key type {@code keyType}. */
    static KeyAnswer key(DnsResolver dns, String selector, String domain, String keyType, String hash) {
        String name = keyName(selector, domain);
        DnsAnswer answer = dns.lookup(name, Type.TXT);
        if (answer instanceof DnsAnswer.TempFail t) {
            return new KeyAnswer.TempFail("key " + name + ": " + t.reason());
        }
        if (!(answer instanceof DnsAnswer.Records r)) {
            return new KeyAnswer.PermFail("no key record at " + name);
        }
        String problem = "no usable key record at " + name;
        for (String txt : r.values()) {
            Map<String, String> tags;
            try {
                tags = tags(txt);
            } catch (Malformed e) {
                problem = "bad key record: " + e.getMessage();
                continue;
            }
            String v = tags.get("v");
            if (v != null && !v.equals("DKIM1")) {
                problem = "key record version is not DKIM1";
                continue;
            }
            String k = tags.getOrDefault("k", "rsa");
            if (!k.equals(keyType)) {
                return new KeyAnswer.PermFail("key type does not fit the signature");
            }
            String h = tags.get("h");
            if (h != null && List.of(noWhitespace(h).split(":")).stream().noneMatch(x -> x.equals(hash))) {
                return new KeyAnswer.PermFail("key does not allow " + hash);
            }
            String s = tags.get("s");
            if (s != null && List.of(noWhitespace(s).split(":")).stream().noneMatch(x -> x.equals("*") || x.equals("email"))) {
                return new KeyAnswer.PermFail("key is not for email");
            }
            String p = tags.get("p");
            if (p == null) {
                return new KeyAnswer.PermFail("key record has no p=");
            }
            if (noWhitespace(p).isEmpty()) {
                return new KeyAnswer.PermFail("key revoked");
            }
            try {
                byte[] der = base64(p, "p=");
                return switch (k) {
                    case "rsa" -> rsa(der, tags);
                    case "ed25519" -> ed25519(der, tags);
                    default -> new KeyAnswer.PermFail("unknown key type");
                };
            } catch (Malformed | GeneralSecurityException e) {
                return new KeyAnswer.PermFail("unreadable key: " + e.getMessage());
            }
        }
        return new KeyAnswer.PermFail(problem);
    }

    private static KeyAnswer rsa(byte[] der, Map<String, String> tags) throws GeneralSecurityException {
        KeyFactory kf = KeyFactory.getInstance("RSA");
        RSAPublicKey key;
        try {
            key = (RSAPublicKey) kf.generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            // some publish the bare PKCS#1 RSAPublicKey: SEQUENCE { modulus, exponent }
            key = (RSAPublicKey) kf.generatePublic(pkcs1(der));
        }
        return new KeyAnswer.Found(key, tags, key.getModulus().bitLength());
    }

    private static RSAPublicKeySpec pkcs1(byte[] der) throws GeneralSecurityException {
        int[] pos = {0};
        if (readTag(der, pos) != 0x30) {
            throw new GeneralSecurityException("not an RSA key");
        }
        readLength(der, pos);
        BigInteger modulus = readInteger(der, pos);
        BigInteger exponent = readInteger(der, pos);
        return new RSAPublicKeySpec(modulus, exponent);
    }

    private static int readTag(byte[] d, int[] pos) throws GeneralSecurityException {
        if (pos[0] >= d.length) {
            throw new GeneralSecurityException("truncated key");
        }
        return d[pos[0]++] & 0xff;
    }

    private static int readLength(byte[] d, int[] pos) throws GeneralSecurityException {
        int first = readTag(d, pos);
        if (first < 0x80) {
            return first;
        }
        int n = first & 0x7f;
        if (n > 3) {
            throw new GeneralSecurityException("bad length");
        }
        int len = 0;
        for (int i = 0; i < n; i++) {
            len = (len << 8) | readTag(d, pos);
        }
        return len;
    }

    private static BigInteger readInteger(byte[] d, int[] pos) throws GeneralSecurityException {
        if (readTag(d, pos) != 0x02) {
            throw new GeneralSecurityException("expected INTEGER");
        }
        int len = readLength(d, pos);
        if (len <= 0 || pos[0] + len > d.length) {
            throw new GeneralSecurityException("truncated key");
        }
        byte[] v = java.util.Arrays.copyOfRange(d, pos[0], pos[0] + len);
        pos[0] += len;
        return new BigInteger(1, v);
    }

    private static KeyAnswer ed25519(byte[] raw, Map<String, String> tags) throws GeneralSecurityException {
        if (raw.length != 32) {
            throw new GeneralSecurityException("Ed25519 key is not 32 bytes");
        }
        byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
        System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
        System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, 32);
        PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        return new KeyAnswer.Found(key, tags, 256);
    }

    /**
     * Checks a signature over the canonical header data. For Ed25519 the signed message is the SHA-256 hash
     * of the data (RFC 8463 §3), for RSA the data itself with the given hash.
     */
    static boolean verify(String algorithm, PublicKey key, String data, byte[] signature) {
        byte[] bytes = data.getBytes(StandardCharsets.ISO_8859_1);
        try {
            Signature sig;
            switch (algorithm) {
                case "rsa-sha256" -> {
                    sig = Signature.getInstance("SHA256withRSA");
                    sig.initVerify(key);
                    sig.update(bytes);
                }
                case "rsa-sha1" -> {
                    sig = Signature.getInstance("SHA1withRSA");
                    sig.initVerify(key);
                    sig.update(bytes);
                }
                case "ed25519-sha256" -> {
                    sig = Signature.getInstance("Ed25519");
                    sig.initVerify(key);
                    sig.update(MessageDigest.getInstance("SHA-256").digest(bytes));
                }
                default -> {
                    return false;
                }
            }
            return sig.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
