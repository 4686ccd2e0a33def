package io.mamori.core.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Finding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Messages built past the parser's or the archive reader's limits, through the whole inbound scan with the shipped
 * policy: each gets its defined finding and, since what lies past a limit was never inspected (a program hidden after
 * the thousandth part would otherwise pass), at least QUARANTINE. Time and memory: bench/oversized-messages.sh.
 */
class OversizedStructureTest {

    private static final String HEAD = "From: Sender <sender@partner.example>\r\nTo: keiri@example.co.jp\r\n"
            + "Subject: documents\r\nDate: Mon, 1 Apr 2024 09:00:00 +0900\r\nMessage-ID: <x@partner.example>\r\n"
            + "MIME-Version: 1.0\r\n";

    private static MessageScanner.ScanResult scan(String mail) throws IOException {
        return ShippedScanner.scan(mail.getBytes(StandardCharsets.US_ASCII));
    }

    private static Finding only(MessageScanner.ScanResult r, String code) {
        assertThat(r.findings()).extracting(Finding::code).containsOnlyOnce(code);
        return r.findings().stream().filter(f -> f.code().equals(code)).findFirst().orElseThrow();
    }

    @Test
    void twoHundredLevelsOfNestedMultipartAreQuarantinedAsTooDeep() throws IOException {
        StringBuilder mail = new StringBuilder(HEAD);
        for (int i = 0; i < 200; i++) {
            mail.append("Content-Type: multipart/mixed; boundary=\"b").append(i).append("\"\r\n\r\n--b").append(i)
                    .append("\r\n");
        }
        mail.append("Content-Type: text/plain\r\n\r\nhello\r\n");
        for (int i = 199; i >= 0; i--) {
            mail.append("--b").append(i).append("--\r\n");
        }

        MessageScanner.ScanResult r = scan(mail.toString());

        assertThat(only(r, "MIME_TOO_DEEP").evidence()).endsWith("nesting deeper than 50; deeper parts were not examined");
        assertThat(r.verdict().action()).isEqualTo(Action.QUARANTINE);
    }

    /** A message of {@code n} small text parts. */
    private static String parts(int n) {
        StringBuilder mail = new StringBuilder(HEAD + "Content-Type: multipart/mixed; boundary=x\r\n\r\n");
        for (int i = 0; i < n; i++) {
            mail.append("--x\r\nContent-Type: text/plain; name=note").append(i).append(".txt\r\n\r\nnote ").append(i)
                    .append("\r\n");
        }
        return mail.append("--x--\r\n").toString();
    }

    @Test
    void tenThousandPartsAreQuarantinedAsTooMany() throws IOException {
        MessageScanner.ScanResult r = scan(parts(10_000));

        assertThat(only(r, "MIME_TOO_MANY_PARTS").evidence())
                .isEqualTo("more than 1000 body parts; later parts were not examined");
        assertThat(r.verdict().action()).isEqualTo(Action.QUARANTINE);
    }

    @Test
    void aThousandPartsAreWithinTheLimitAndNotForced() throws IOException {
        MessageScanner.ScanResult r = scan(parts(1_000));

        assertThat(r.findings()).extracting(Finding::code).doesNotContain("MIME_TOO_MANY_PARTS", "MIME_TOO_DEEP");
        assertThat(r.verdict().action()).isLessThan(Action.QUARANTINE);
    }

    @Test
    void aGigabyteOfZerosInAZipIsQuarantinedAsABomb() throws IOException {
        MessageScanner.ScanResult r = scan(withAttachment("bomb.zip", io.mamori.core.testing.Bombs.zerosZip(1024)));

        assertThat(only(r, "ARCHIVE_BOMB").evidence()).isEqualTo("bomb.zip!/zeros.bin: expands more than 100×");
        assertThat(r.verdict().action()).isEqualTo(Action.QUARANTINE);
    }

    @Test
    void zipsNestedPastTheArchiveDepthAreQuarantinedAsTooDeep() throws IOException {
        byte[] inner = zip("report.txt", "quarterly figures".getBytes(StandardCharsets.US_ASCII));
        for (int level = 6; level >= 1; level--) {
            inner = zip("level" + level + ".zip", inner);
        }

        MessageScanner.ScanResult r = scan(withAttachment("deep.zip", inner));

        assertThat(only(r, "ARCHIVE_TOO_DEEP").evidence()).isEqualTo(
                "deep.zip!/level1.zip!/level2.zip!/level3.zip!/level4.zip!/level5.zip: archive nested more than 5 levels deep");
        assertThat(r.verdict().action()).isEqualTo(Action.QUARANTINE);
    }

    private static String withAttachment(String name, byte[] file) {
        return HEAD + "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\n"
                + "Please find the files attached.\r\n--z\r\nContent-Type: application/zip; name=" + name
                + "\r\nContent-Disposition: attachment; filename=" + name + "\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(file) + "\r\n--z--\r\n";
    }

    private static byte[] zip(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return out.toByteArray();
    }
}
