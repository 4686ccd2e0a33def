package io.mamori.core.attachment;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Whether a PDF needs a password to be opened. Many business PDFs are encrypted with only an owner password
 * (printing or copying restricted) and open, and can be scanned, without one; only a PDF whose empty user
 * password fails is "encrypted, cannot be inspected". The check runs the standard security handler's user
 * password test (ISO 32000-1 7.6.3.4 algorithms 2, 4 and 5 for revisions 2–4; ISO 32000-2 7.6.4.3.3/4
 * algorithm 2.A/2.B for revisions 5 and 6) with the empty password. The encryption dictionary is never inside
 * an object stream (ISO 32000-1 7.5.7), so a plain-text search finds it; a PDF whose dictionary cannot be
 * read, or that uses another security handler (certificates), counts as needing a password. PDFBox would do
 * this, but it is a 3 MB dependency for forty lines. Stateless.
 */
final class PdfEncryption {

    private static final byte[] PAD = {
        0x28, (byte) 0xBF, 0x4E, 0x5E, 0x4E, 0x75, (byte) 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, (byte) 0xFF, (byte) 0xFA, 0x01, 0x08,
        0x2E, 0x2E, 0x00, (byte) 0xB6, (byte) 0xD0, 0x68, 0x3E, (byte) 0x80, 0x2F, 0x0C, (byte) 0xA9, (byte) 0xFE, 0x64, 0x53, 0x69, 0x7A};

    private static final Pattern ENCRYPT_REF = Pattern.compile("/Encrypt\\s*(\\d+)\\s+(\\d+)\\s+R");
    private static final Pattern ENCRYPT_DIRECT = Pattern.compile("/Encrypt\\s*<<");
    private static final Pattern ID = Pattern.compile("/ID\\s*\\[\\s*");

    private PdfEncryption() {
    }

    static boolean needsPassword(byte[] pdf) {
        String text = new String(pdf, StandardCharsets.ISO_8859_1);
        int encrypt = text.lastIndexOf("/Encrypt");
        if (encrypt < 0) {
            return false;
        }
        try {
            Map<String, Object> dict = encryptionDictionary(text);
            if (dict == null || !"Standard".equals(dict.get("Filter"))) {
                return true;
            }
            int r = number(dict.get("R"));
            byte[] o = bytes(dict.get("O"));
            byte[] u = bytes(dict.get("U"));
            if (o == null || u == null) {
                return true;
            }
            if (r >= 5) {
                return !emptyUserPasswordR56(r, u);
            }
            byte[] id = firstId(text);
            int p = number(dict.get("P"));
            int lengthBits = dict.containsKey("Length") ? number(dict.get("Length")) : 40;
            boolean encryptMetadata = !Boolean.FALSE.equals(dict.get("EncryptMetadata"));
            return !emptyUserPasswordR24(r, o, p, id == null ? new byte[0] : id, r == 2 ? 5 : lengthBits / 8, encryptMetadata, u);
        } catch (RuntimeException | GeneralSecurityException e) {
            return true;
        }
    }

    private static Map<String, Object> encryptionDictionary(String text) {
        Matcher direct = ENCRYPT_DIRECT.matcher(text);
        Matcher ref = ENCRYPT_REF.matcher(text);
        int at = -1;
        int refAt = -1;
        String obj = null;
        while (ref.find()) {
            refAt = ref.start();
            obj = ref.group(1) + "\\s+" + ref.group(2);
        }
        while (direct.find()) {
            at = direct.end() - 2;
        }
        if (obj != null && refAt > at) {
            Matcher def = Pattern.compile("(?<![0-9])" + obj + "\\s+obj\\s*<<").matcher(text);
            int found = -1;
            while (def.find()) {
                found = def.end() - 2;
            }
            if (found < 0) {
                return null;
            }
            at = found;
        }
        if (at < 0) {
            return null;
        }
        Object parsed = new Parser(text, at).value();
        @SuppressWarnings("unchecked")
        Map<String, Object> dict = parsed instanceof Map<?, ?> ? (Map<String, Object>) parsed : null;
        return dict;
    }

    private static byte[] firstId(String text) {
        Matcher m = ID.matcher(text);
        byte[] id = null;
        while (m.find()) {
            Object v = new Parser(text, m.end()).value();
            if (v instanceof byte[] b) {
                id = b;
            }
        }
        return id;
    }

    /** Algorithms 2 (key from the empty password), 4 (R2) and 5 (R3, R4). */
    private static boolean emptyUserPasswordR24(int r, byte[] o, int p, byte[] id, int keyLength, boolean encryptMetadata,
            byte[] u) throws GeneralSecurityException {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        md5.update(PAD);
        md5.update(Arrays.copyOf(o, 32));
        md5.update(new byte[] {(byte) p, (byte) (p >> 8), (byte) (p >> 16), (byte) (p >> 24)});
        md5.update(id);
        if (r >= 4 && !encryptMetadata) {
            md5.update(new byte[] {-1, -1, -1, -1});
        }
        byte[] key = Arrays.copyOf(md5.digest(), Math.max(5, Math.min(16, keyLength)));
        if (r >= 3) {
            for (int i = 0; i < 50; i++) {
                key = Arrays.copyOf(MessageDigest.getInstance("MD5").digest(key), key.length);
            }
        }
        if (r == 2) {
            return Arrays.equals(rc4(key, PAD), Arrays.copyOf(u, 32));
        }
        md5 = MessageDigest.getInstance("MD5");
        md5.update(PAD);
        md5.update(id);
        byte[] x = rc4(key, md5.digest());
        for (int i = 1; i <= 19; i++) {
            byte[] k = new byte[key.length];
            for (int j = 0; j < key.length; j++) {
                k[j] = (byte) (key[j] ^ i);
            }
            x = rc4(k, x);
        }
        return u.length >= 16 && Arrays.equals(x, Arrays.copyOf(u, 16));
    }

    /** Algorithm 11 (R5: SHA-256) or 2.B (R6) over the empty password and U's validation salt. */
    private static boolean emptyUserPasswordR56(int r, byte[] u) throws GeneralSecurityException {
        if (u.length < 48) {
            return false;
        }
        byte[] salt = Arrays.copyOfRange(u, 32, 40);
        byte[] hash = r == 5 ? MessageDigest.getInstance("SHA-256").digest(salt) : hash2B(salt);
        return Arrays.equals(Arrays.copyOf(hash, 32), Arrays.copyOf(u, 32));
    }

    private static byte[] hash2B(byte[] salt) throws GeneralSecurityException {
        byte[] k = MessageDigest.getInstance("SHA-256").digest(salt);
        for (int round = 0; ; round++) {
            ByteArrayOutputStream k1 = new ByteArrayOutputStream(64 * k.length);
            for (int i = 0; i < 64; i++) {
                k1.writeBytes(k);
            }
            Cipher aes = Cipher.getInstance("AES/CBC/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, 0, 16, "AES"), new IvParameterSpec(k, 16, 16));
            byte[] e = aes.doFinal(k1.toByteArray());
            int sum = 0;
            for (int i = 0; i < 16; i++) {
                sum += e[i] & 0xff;
            }
            k = MessageDigest.getInstance(switch (sum % 3) {
                case 0 -> "SHA-256";
                case 1 -> "SHA-384";
                default -> "SHA-512";
            }).digest(e);
            if (round >= 63 && (e[e.length - 1] & 0xff) <= round + 1 - 32) {
                return Arrays.copyOf(k, 32);
            }
        }
    }

    /** RC4 is written out because the JDK's ARCFOUR provider may be disabled by security policy. */
    private static byte[] rc4(byte[] key, byte[] data) {
        int[] s = new int[256];
        for (int i = 0; i < 256; i++) {
            s[i] = i;
        }
        for (int i = 0, j = 0; i < 256; i++) {
            j = (j + s[i] + (key[i % key.length] & 0xff)) & 0xff;
            int t = s[i];
            s[i] = s[j];
            s[j] = t;
        }
        byte[] out = new byte[data.length];
        for (int n = 0, i = 0, j = 0; n < data.length; n++) {
            i = (i + 1) & 0xff;
            j = (j + s[i]) & 0xff;
            int t = s[i];
            s[i] = s[j];
            s[j] = t;
            out[n] = (byte) (data[n] ^ s[(s[i] + s[j]) & 0xff]);
        }
        return out;
    }

    private static int number(Object o) {
        if (o instanceof Number n) {
            return n.intValue();
        }
        throw new IllegalArgumentException("not a number");
    }

    private static byte[] bytes(Object o) {
        return o instanceof byte[] b ? b : null;
    }

    /** Just enough of ISO 32000-1 7.3 to read a dictionary of names, numbers, strings and nested dictionaries. */
    private static final class Parser {
        private final String s;
        private int i;
        private int depth;

        Parser(String s, int start) {
            this.s = s;
            this.i = start;
        }

        Object value() {
            skipSpace();
            if (i >= s.length()) {
                throw new IllegalArgumentException("end of file");
            }
            char c = s.charAt(i);
            if (c == '<' && i + 1 < s.length() && s.charAt(i + 1) == '<') {
                return dictionary();
            }
            if (c == '<') {
                return hexString();
            }
            if (c == '(') {
                return literalString();
            }
            if (c == '/') {
                return name();
            }
            if (c == '[') {
                i++;
                while (true) {
                    skipSpace();
                    if (i < s.length() && s.charAt(i) == ']') {
                        i++;
                        return "array";
                    }
                    value();
                }
            }
            int start = i;
            while (i < s.length() && "-+.0123456789".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (i > start) {
                String num = s.substring(start, i);
                int save = i;
                // an indirect reference "12 0 R" reads as its object number; no value here needs resolving
                skipSpace();
                Matcher ref = Pattern.compile("\\d+\\s+R").matcher(s).region(i, Math.min(s.length(), i + 24));
                if (ref.lookingAt()) {
                    i = ref.end();
                } else {
                    i = save;
                }
                return num.contains(".") ? (Object) Double.parseDouble(num) : (Object) Long.parseLong(num);
            }
            if (s.startsWith("true", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            if (s.startsWith("null", i)) {
                i += 4;
                return "null";
            }
            throw new IllegalArgumentException("unexpected " + c);
        }

        private Map<String, Object> dictionary() {
            if (++depth > 16) {
                throw new IllegalArgumentException("too deep");
            }
            i += 2;
            Map<String, Object> map = new HashMap<>();
            while (true) {
                skipSpace();
                if (s.startsWith(">>", i)) {
                    i += 2;
                    depth--;
                    return map;
                }
                String key = name();
                map.put(key, value());
            }
        }

        private String name() {
            if (s.charAt(i) != '/') {
                throw new IllegalArgumentException("expected a name");
            }
            int start = ++i;
            while (i < s.length() && " \t\r\n\f\u0000/<>[]()%".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            return s.substring(start, i);
        }

        private byte[] hexString() {
            int end = s.indexOf('>', i);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated hex string");
            }
            String hex = s.substring(i + 1, end).replaceAll("\\s", "");
            i = end + 1;
            if (hex.length() % 2 == 1) {
                hex += "0";
            }
            byte[] out = new byte[hex.length() / 2];
            for (int k = 0; k < out.length; k++) {
                out[k] = (byte) Integer.parseInt(hex.substring(2 * k, 2 * k + 2), 16);
            }
            return out;
        }

        private byte[] literalString() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int nesting = 0;
            i++;
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '\\' && i < s.length()) {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> out.write('\n');
                        case 'r' -> out.write('\r');
                        case 't' -> out.write('\t');
                        case 'b' -> out.write('\b');
                        case 'f' -> out.write('\f');
                        case '\r' -> {
                            if (i < s.length() && s.charAt(i) == '\n') {
                                i++;
                            }
                        }
                        case '\n' -> {
                        }
                        default -> {
                            if (e >= '0' && e <= '7') {
                                int v = e - '0';
                                for (int k = 0; k < 2 && i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7'; k++) {
                                    v = v * 8 + (s.charAt(i++) - '0');
                                }
                                out.write(v & 0xff);
                            } else {
                                out.write(e);
                            }
                        }
                    }
                } else if (c == '(') {
                    nesting++;
                    out.write(c);
                } else if (c == ')') {
                    if (nesting-- == 0) {
                        return out.toByteArray();
                    }
                    out.write(c);
                } else {
                    out.write(c);
                }
            }
            throw new IllegalArgumentException("unterminated string");
        }

        private void skipSpace() {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '%') {
                    while (i < s.length() && s.charAt(i) != '\n' && s.charAt(i) != '\r') {
                        i++;
                    }
                } else if (" \t\r\n\f\u0000".indexOf(c) >= 0) {
                    i++;
                } else {
                    return;
                }
            }
        }
    }
}
