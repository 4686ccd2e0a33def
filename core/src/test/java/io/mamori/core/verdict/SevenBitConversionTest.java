package io.mamori.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.message.Fixtures;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.james.mime4j.MimeIOException;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MessageRewriter#toSevenBit}: the content a host without 8BITMIME gets (RFC 6152 §3). */
class SevenBitConversionTest {

    @TempDir
    Path temp;

    private record Converted(int parts, byte[] bytes) {
    }

    private Converted convert(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int parts = new MessageRewriter(temp).toSevenBit(new ByteArrayInputStream(raw), out);
        return new Converted(parts, out.toByteArray());
    }

    private static ParsedMessage parse(byte[] raw) throws IOException {
        return new MessageParser().parse(new ByteArrayInputStream(raw));
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static boolean sevenBit(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] <= 0) {
                return false;
            }
        }
        return true;
    }

    /** As SMTP carries it: CRLF line ends (some fixtures are stored with LF). */
    private static byte[] smtp(String fixture) throws IOException {
        String text = latin1(Fixtures.bytes(fixture));
        return text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static int bodyStart(byte[] b) {
        return latin1(b).indexOf("\r\n\r\n") + 4;
    }

    @Test
    void shiftJisEightBitTextBecomesQuotedPrintableWithTheSameText() throws IOException {
        byte[] raw = smtp("japanese-corpus/japanese_shift_jis.eml");
        assertThat(sevenBit(raw, 0)).as("the fixture carries raw Shift_JIS").isFalse();

        Converted c = convert(raw);

        assertThat(c.parts()).isEqualTo(1);
        assertThat(sevenBit(c.bytes(), 0)).isTrue();
        String out = latin1(c.bytes());
        assertThat(out).contains("Content-Transfer-Encoding: quoted-printable\r\n")
                .doesNotContain("Content-Transfer-Encoding: 8bit")
                .contains("Content-Type: text/plain; charset=\"Shift_JIS\"\r\n");
        ParsedMessage before = parse(raw);
        ParsedMessage after = parse(c.bytes());
        assertThat(after.parts().get(0).text()).isEqualTo(before.parts().get(0).text()).contains("あいうえお");
        // every other header field is written back as it was
        String[] originalFields = latin1(raw).substring(0, bodyStart(raw)).split("\r\n");
        for (String field : originalFields) {
            if (!field.startsWith("Content-Transfer-Encoding")) {
                assertThat(out).contains(field + "\r\n");
            }
        }
    }

    @Test
    void unlabelledEucJpBodyIsConvertedToo() throws IOException {
        // no Content-Transfer-Encoding at all: 7bit by default (RFC 2045 §6.1), yet the body is raw EUC-JP
        byte[] raw = smtp("japanese-corpus/spamassassin-iso-2022-jp.2.eml");
        assertThat(sevenBit(raw, bodyStart(raw))).isFalse();

        Converted c = convert(raw);

        assertThat(c.parts()).isEqualTo(1);
        assertThat(sevenBit(c.bytes(), bodyStart(c.bytes()))).isTrue();
        assertThat(parse(c.bytes()).parts().get(0).text()).isEqualTo(parse(raw).parts().get(0).text());
    }

    @Test
    void sevenBitMessageComesOutByteForByte() throws IOException {
        // multipart with an attached message/rfc822, all ISO-2022-JP in 7 bit
        byte[] raw = smtp("japanese-corpus/pc-mail-multi.eml");
        assertThat(sevenBit(raw, 0)).isTrue();

        Converted c = convert(raw);

        assertThat(c.parts()).isZero();
        assertThat(c.bytes()).isEqualTo(raw);
    }

    @Test
    void binaryAttachmentBecomesBase64AndTheEightBitMultipartIsRelabelled() throws IOException {
        byte[] attachment = new byte[256];
        for (int i = 0; i < attachment.length; i++) {
            attachment[i] = (byte) i;
        }
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.writeBytes(("From: a@sender.test\r\nTo: b@example.test\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b1\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "請求書を添付します。\r\n"
                + "--b1\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\n"
                + "Content-Disposition: attachment; filename=\"a.bin\"\r\nContent-Transfer-Encoding: binary\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        message.writeBytes(attachment);
        message.writeBytes("\r\n--b1\r\nContent-Type: text/plain\r\n\r\nplain ascii\r\n--b1--\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] raw = message.toByteArray();

        Converted c = convert(raw);

        assertThat(c.parts()).isEqualTo(2);
        assertThat(sevenBit(c.bytes(), 0)).isTrue();
        String out = latin1(c.bytes());
        assertThat(out).startsWith("From: a@sender.test\r\n")
                .contains("boundary=\"b1\"\r\nContent-Transfer-Encoding: 7bit\r\n")
                .contains("charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n")
                .contains("filename=\"a.bin\"\r\nContent-Transfer-Encoding: base64\r\n")
                .contains("Content-Type: text/plain\r\n\r\nplain ascii\r\n--b1--");
        ParsedMessage after = parse(c.bytes());
        List<MimePart> parts = after.parts();
        assertThat(parts.get(0).text()).isEqualTo("請求書を添付します。");
        String base64 = out.substring(out.indexOf("base64\r\n\r\n") + 10, out.indexOf("\r\n--b1\r\nContent-Type: text/plain\r\n"));
        assertThat(Base64.getMimeDecoder().decode(base64)).isEqualTo(attachment);
    }

    private Converted convertText(String text) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.writeBytes(("From: a@sender.test\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        message.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        Converted c = convert(message.toByteArray());
        assertThat(c.parts()).isEqualTo(1);
        assertThat(sevenBit(c.bytes(), 0)).isTrue();
        for (String line : latin1(c.bytes()).split("\r\n")) {
            assertThat(line.length()).isLessThanOrEqualTo(76);
        }
        return c;
    }

    private static byte[] body(Converted c) {
        return Arrays.copyOfRange(c.bytes(), bodyStart(c.bytes()), c.bytes().length);
    }

    @Test
    void quotedPrintableKeepsEveryByteOfTextInLines() throws IOException {
        // trailing blanks, a line of 2,000 octets and a line that starts with a dot
        String text = "末尾の空白 \t\r\n" + "長".repeat(666) + "x\r\n.dot\r\n=3D\r\nend";

        Converted c = convertText(text);

        assertThat(latin1(c.bytes())).contains("Content-Transfer-Encoding: quoted-printable\r\n");
        try (InputStream decoder = new QuotedPrintableInputStream(new ByteArrayInputStream(body(c)), true)) {
            assertThat(new String(decoder.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(text);
        }
    }

    @Test
    void textWithBareLineEndsGoesInBase64SoNoByteChanges() throws IOException {
        String text = "改行 bare\nLF and bare\rCR\r\nend\r";

        Converted c = convertText(text);

        assertThat(latin1(c.bytes())).contains("Content-Transfer-Encoding: base64\r\n");
        assertThat(new String(Base64.getMimeDecoder().decode(body(c)), StandardCharsets.UTF_8)).isEqualTo(text);
    }

    @Test
    void textEndingInABlankWithoutALineEndGoesInBase64SoTheBlankStays() throws IOException {
        String text = "最後に空白 \t";

        Converted c = convertText(text);

        assertThat(latin1(c.bytes())).contains("Content-Transfer-Encoding: base64\r\n");
        assertThat(new String(Base64.getMimeDecoder().decode(body(c)), StandardCharsets.UTF_8)).isEqualTo(text);
    }

    @Test
    void messageThatCannotBeParsedIsAnErrorNotAPartialConversion() {
        byte[] line = new byte[1024 * 1024 + 10];
        Arrays.fill(line, (byte) 'x');
        byte[] raw = ("From: a@sender.test\r\nX-Long: " + latin1(line) + "\r\n\r\nbody \u00e9\r\n").getBytes(StandardCharsets.ISO_8859_1);

        assertThatThrownBy(() -> convert(raw)).isInstanceOf(MimeIOException.class);
    }
}
