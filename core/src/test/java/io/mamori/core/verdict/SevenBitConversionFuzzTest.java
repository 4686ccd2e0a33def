package io.mamori.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.james.mime4j.MimeIOException;

/**
 * Coverage-guided fuzzing of the conversion a host without 8BITMIME gets ({@link MessageRewriter#toSevenBit}), on any
 * message in CRLF lines (as SMTP carries it): a message with no 8-bit byte comes out byte for byte, and any message
 * comes out with the same parts, types and texts as our own parser reads them. In the test suite this runs the inputs under
 * {@code SevenBitConversionFuzzTestInputs/}; {@code bench/fuzz.sh} fuzzes it.
 */
class SevenBitConversionFuzzTest {

    private static final Path TEMP;

    static {
        try {
            TEMP = Files.createTempDirectory("mamori-7bit-fuzz");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every line end made CRLF: bare CR and bare LF cannot arrive in SMTP data as such. */
    private static byte[] crlf(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 16);
        for (int i = 0; i < data.length; i++) {
            byte b = data[i];
            if (b == '\r' || b == '\n') {
                out.write('\r');
                out.write('\n');
                if (b == '\r' && i + 1 < data.length && data[i + 1] == '\n') {
                    i++;
                }
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    private static boolean sevenBit(byte[] b) {
        for (byte x : b) {
            if (x <= 0) {
                return false;
            }
        }
        return true;
    }

    private record Seen(String path, String type, String charset, String filename, String text) {
    }

    private static List<Seen> parts(byte[] raw) throws IOException {
        try (ParsedMessage m = new MessageParser().parse(new ByteArrayInputStream(raw))) {
            return m.parts().stream().map((MimePart p) -> new Seen(p.path(), p.contentType(), p.charset(), p.filename(),
                    p.text())).toList();
        }
    }

    @FuzzTest(maxDuration = "30s")
    void convertsWithoutChangingWhatTheReaderGets(byte[] data) throws IOException {
        byte[] raw = crlf(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int converted;
        try {
            converted = new MessageRewriter(TEMP).toSevenBit(new ByteArrayInputStream(raw), out);
        } catch (MimeIOException e) {
            return; // a message the parser refuses (a line over 1 MiB) is returned with 5.6.3: a defined outcome
        }
        byte[] result = out.toByteArray();
        if (sevenBit(raw)) {
            assertThat(converted).isZero();
            assertThat(result).isEqualTo(raw);
            return;
        }
        assertThat(parts(result)).isEqualTo(parts(raw));
    }
}
