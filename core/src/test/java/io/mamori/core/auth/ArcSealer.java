package io.mamori.core.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ARC intermediary for tests (RFC 8617 §5.1): adds one sealed set (ARC-Authentication-Results,
 * ARC-Message-Signature over From, To, Subject and the body, ARC-Seal over every set) to a message, with a fresh RSA
 * key whose DNS record {@link #keyRecord()} gives. Chains can so be built for any message, including ones an attacker
 * would assemble; the canonicalization is {@link DkimSignatures}', which the DKIM and ARC conformance suites check.
 */
final class ArcSealer {

    private static final Pattern INSTANCE = Pattern.compile("(?:^|;)[ \t\r\n]*i[ \t\r\n]*=[ \t\r\n]*(\\d+)");
    private static final List<String> SIGNED = List.of("from", "to", "subject");

    final String domain;
    final String selector = "arc";
    private final KeyPair keys;

    ArcSealer(String domain) {
        this.domain = domain;
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            this.keys = g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The DNS name of the key: {@code arc._domainkey.<domain>}. */
    String keyName() {
        return selector + "._domainkey." + domain;
    }

    String keyRecord() {
        return "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
    }

    /** {@code message} (CRLF line ends) with this sealer's set on top, recording {@code authResults}. */
    String seal(String message, String authResults) {
        return set(message, authResults) + message;
    }

    /**
     * The three fields (CRLF-terminated, seal first) of the set this sealer would add to {@code message}: instance
     * one above the message's newest, {@code cv=none} for the first set and {@code cv=pass} after.
     *
     * @param authResults the ARC-Authentication-Results payload after {@code i=N;}: authserv-id and results
     */
    String set(String message, String authResults) {
        try {
            RawMail mail = RawMail.read(new ByteArrayInputStream(message.getBytes(StandardCharsets.ISO_8859_1)));
            List<RawMail.Field> aars = byInstance(mail.fields("ARC-Authentication-Results"));
            List<RawMail.Field> amss = byInstance(mail.fields("ARC-Message-Signature"));
            List<RawMail.Field> seals = byInstance(mail.fields("ARC-Seal"));
            int i = seals.size() + 1;
            String aar = "ARC-Authentication-Results: i=" + i + "; " + authResults + "\r\n";

            BodyHasher body = new BodyHasher(true, "SHA-256", -1);
            for (byte[] line; (line = mail.nextLine()) != null; ) {
                body.line(line);
            }
            List<RawMail.Field> signed = new ArrayList<>(DkimSignatures.selectFields(mail.fields(), SIGNED));
            String ams = "ARC-Message-Signature: i=" + i + "; a=rsa-sha256; c=relaxed/relaxed; d=" + domain + "; s="
                    + selector + "; h=" + String.join(":", SIGNED) + "; bh="
                    + Base64.getEncoder().encodeToString(body.finish()) + "; b=";
            ams += sign(signed, ams);

            List<RawMail.Field> sealed = new ArrayList<>();
            for (int j = 0; j < seals.size(); j++) {
                sealed.add(aars.get(j));
                sealed.add(amss.get(j));
                sealed.add(seals.get(j));
            }
            sealed.add(new RawMail.Field("ARC-Authentication-Results", aar));
            sealed.add(new RawMail.Field("ARC-Message-Signature", ams + "\r\n"));
            String seal = "ARC-Seal: i=" + i + "; a=rsa-sha256; cv=" + (i == 1 ? "none" : "pass") + "; d=" + domain
                    + "; s=" + selector + "; b=";
            seal += sign(sealed, seal);
            return seal + "\r\n" + ams + "\r\n" + aar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The signature over {@code fields} and then {@code self} (empty b=) without its CRLF, relaxed (RFC 6376 §3.7). */
    private String sign(List<RawMail.Field> fields, String self) {
        StringBuilder data = new StringBuilder();
        for (RawMail.Field f : fields) {
            data.append(DkimSignatures.canonicalHeader(f, true));
        }
        String own = DkimSignatures.canonicalHeader(new RawMail.Field("x", self + "\r\n"), true);
        data.append(own, 0, own.length() - 2);
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(keys.getPrivate());
            s.update(data.toString().getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<RawMail.Field> byInstance(List<RawMail.Field> fields) {
        List<RawMail.Field> out = new ArrayList<>(fields);
        out.sort(Comparator.comparingInt(f -> {
            Matcher m = INSTANCE.matcher(f.value());
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        }));
        return out;
    }
}
