package io.mamori.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RawMailTest {

    private static RawMail read(String message) throws IOException {
        return RawMail.read(new ByteArrayInputStream(message.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void fieldsOfANameAreFoundWhateverTheirCaseAndInMessageOrder() throws IOException {
        RawMail mail = read("DKIM-Signature: a\r\nX: 1\r\ndkim-SIGNATURE: b\r\n folded\r\nDKIM-Signatures: c\r\n"
                + "DKIM-Sign\u00e4ture: d\r\nARC-Seal: e\r\n\r\nbody line\r\nlast");
        assertThat(mail.fields("DKIM-Signature")).extracting(RawMail.Field::raw)
                .containsExactly("DKIM-Signature: a\r\n", "dkim-SIGNATURE: b\r\n folded\r\n");
        assertThat(mail.fields("arc-seal")).extracting(RawMail.Field::value).containsExactly(" e");
        assertThat(mail.fields("ARC-Message-Signature")).isEmpty();
    }

    @Test
    void bodyLinesComeWithoutTheirLineEndsWhereverTheReadsEnd() throws IOException {
        StringBuilder message = new StringBuilder("A: b\r\n\r\n");
        for (int i = 0; i < 3000; i++) {
            message.append("line ").append(i).append(i % 3 == 0 ? "\n" : "\r\n");
        }
        message.append("\r\n\r\nend\r");
        RawMail mail = read(message.toString());
        int lines = 0;
        for (byte[] line; (line = mail.nextLine()) != null; lines++) {
            String text = new String(line, StandardCharsets.ISO_8859_1);
            if (lines < 3000) {
                assertThat(text).isEqualTo("line " + lines);
            } else if (lines < 3002) {
                assertThat(text).isEmpty();
            } else {
                assertThat(text).isEqualTo("end");
                assertThat(mail.lastLineTerminated()).isFalse();
            }
        }
        assertThat(lines).isEqualTo(3003);
    }
}
