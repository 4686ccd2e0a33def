package io.mamori.core.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineScanningInputStreamTest {

    /** Hands out at most {@code chunk} bytes per read, so that lines straddle reads. */
    private static InputStream chunked(String text, int chunk) {
        return new FilterInputStream(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1))) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    private static MimeDefect scanned(String text, int chunk) throws IOException {
        LineScanningInputStream in = new LineScanningInputStream(chunked(text, chunk));
        in.drain();
        return in.longLineDefect();
    }

    @Test
    void carriageReturnsDoNotCountTowardsALinesLengthWhereverTheReadsSplitIt() throws IOException {
        String limit = "a".repeat(LineScanningInputStream.RFC5322_MAX_LINE);
        // 998 characters and ten stray CRs: within the limit; one character more: too long
        String withCrs = "x\r\n" + limit.substring(0, 500) + "\r".repeat(10) + limit.substring(500) + "\r\n";
        String tooLong = "x\r\n" + limit + "\r".repeat(10) + "b\r\nshort\r\n" + limit + "cc";
        for (int chunk : new int[] {1, 7, 999, 1003, 8192}) {
            assertThat(scanned(withCrs, chunk)).as("chunk %d", chunk).isNull();
            assertThat(scanned(tooLong, chunk)).as("chunk %d", chunk).isEqualTo(new MimeDefect(MimeDefect.Kind.LONG_LINE,
                    "2 line(s) longer than 998 characters, first at line 2, longest 1000"));
        }
    }
}
