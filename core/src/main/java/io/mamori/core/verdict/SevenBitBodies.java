package io.mamori.core.verdict;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import org.apache.james.mime4j.codec.Base64OutputStream;
import org.apache.james.mime4j.codec.QuotedPrintableOutputStream;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.field.Fields;

/**
 * Re-encodes the 8-bit bodies of a parsed message (transfer decoding off) so the message can go to a host that does
 * not offer 8BITMIME (RFC 6152 §3: the client converts the message to 7 bit, as RFC 1652 describes, or returns it).
 * A leaf labelled {@code 7bit}, {@code 8bit} or {@code binary} (or not labelled) whose bytes are not all 7-bit is
 * re-encoded: text in CRLF lines with quoted-printable, which keeps it readable; anything else, every {@code binary}
 * body and text with a bare CR or LF, with base64, which keeps every byte. The bytes themselves are unchanged, so the charset label
 * stays right. A composite part labelled {@code 8bit} or {@code binary} is relabelled {@code 7bit} once parts under
 * it are converted (RFC 2045 §6.4: a composite part is never encoded itself). Bodies under another encoding, and
 * header fields, are left as they are: an 8-bit header field cannot be converted without changing what it says,
 * and Postfix's conversion leaves them too. Stateless.
 */
final class SevenBitBodies {

    private SevenBitBodies() {
    }

    /** Converts the bodies under {@code entity}; returns how many were re-encoded. */
    static int convert(Entity entity, SpoolingBodyFactory bodies) throws IOException {
        Body body = entity.getBody();
        if (body instanceof Multipart multipart) {
            int converted = 0;
            for (Entity part : multipart.getBodyParts()) {
                converted += convert(part, bodies);
            }
            if (converted > 0) {
                relabelComposite(entity);
            }
            return converted;
        }
        if (body instanceof Message embedded) {
            int converted = convert(embedded, bodies);
            if (converted > 0) {
                relabelComposite(entity);
            }
            return converted;
        }
        if (!(body instanceof SingleBody single)) {
            return 0;
        }
        String transfer = entity.getContentTransferEncoding().toLowerCase(Locale.ROOT);
        boolean binary = transfer.equals("binary");
        if (!(binary || transfer.equals("8bit") || transfer.equals("7bit"))) {
            return 0;
        }
        Bytes bytes = classify(single);
        if (bytes == Bytes.SEVEN_BIT) {
            return 0;
        }
        String type = entity.getMimeType() == null ? "" : entity.getMimeType().toLowerCase(Locale.ROOT);
        boolean quotedPrintable = bytes == Bytes.EIGHT_BIT_LINES && !binary
                && (type.startsWith("text/") || type.startsWith("message/"));
        SingleBody encoded;
        try (SpoolingBodyFactory.Sink sink = bodies.newSink()) {
            try (InputStream in = single.getInputStream();
                    OutputStream encoder = quotedPrintable
                            ? new QuotedPrintableOutputStream(sink.shielded(), false)
                            : new Base64OutputStream(sink.shielded())) {
                in.transferTo(encoder);
            }
            encoded = sink.toBody();
        }
        entity.getHeader().setField(Fields.contentTransferEncoding(quotedPrintable ? "quoted-printable" : "base64"));
        Body old = entity.removeBody();
        if (old != null) {
            old.dispose();
        }
        entity.setBody(encoded);
        return 1;
    }

    private static void relabelComposite(Entity entity) {
        String transfer = entity.getContentTransferEncoding().toLowerCase(Locale.ROOT);
        if (transfer.equals("8bit") || transfer.equals("binary")) {
            entity.getHeader().setField(Fields.contentTransferEncoding("7bit"));
        }
    }

    /** What a body holds, as far as the choice of encoding goes. */
    private enum Bytes {
        /** 7-bit data (RFC 2045 §2.7): nothing to convert. */
        SEVEN_BIT,
        /** Octets over 127 in CRLF lines: quoted-printable keeps every byte. */
        EIGHT_BIT_LINES,
        /**
         * Octets over 127 with a bare CR or LF (or a blank at the very end): Mime4j's quoted-printable encoder writes a
         * bare line end as it is, which a decoder refuses or turns into CRLF, so only base64 keeps these bytes.
         */
        EIGHT_BIT_RAW
    }

    private static Bytes classify(SingleBody body) throws IOException {
        boolean eightBit = false;
        boolean bareLineEnd = false;
        byte previous = 0;
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = body.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b <= 0) {
                        eightBit = true;
                    }
                    if (b == '\n' && previous != '\r' || previous == '\r' && b != '\n') {
                        bareLineEnd = true;
                    }
                    previous = b;
                }
            }
        }
        if (previous == '\r' || previous == ' ' || previous == '\t') {
            // a blank at the very end, with no line end after it: Mime4j's encoder writes it as it is, and a
            // quoted-printable decoder drops a line's trailing blanks (RFC 2045 §6.7 rule 3)
            bareLineEnd = true;
        }
        return !eightBit ? Bytes.SEVEN_BIT : bareLineEnd ? Bytes.EIGHT_BIT_RAW : Bytes.EIGHT_BIT_LINES;
    }
}
