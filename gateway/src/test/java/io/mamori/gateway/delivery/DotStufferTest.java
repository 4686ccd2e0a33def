package io.mamori.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DotStufferTest {

    private static String encode(int chunk, String input) {
        byte[] in = input.getBytes(StandardCharsets.ISO_8859_1);
        DotStuffer stuffer = new DotStuffer();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] dst = new byte[DotStuffer.maxEncodedLength(chunk) + 8];
        for (int i = 0; i < in.length; i += chunk) {
            int len = Math.min(chunk, in.length - i);
            byte[] src = java.util.Arrays.copyOfRange(in, i, i + len);
            out.write(dst, 0, stuffer.encode(src, len, dst));
        }
        out.write(dst, 0, stuffer.finish(dst));
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void linesStartingWithADotGetASecondDot() {
        assertThat(encode(1024, ".a\r\nb.\r\n..c\r\n.\r\n")).isEqualTo("..a\r\nb.\r\n...c\r\n..\r\n.\r\n");
    }

    @Test
    void bareLineFeedsAndCarriageReturnsBecomeCrlf() {
        assertThat(encode(1024, "a\nb\rc\r\n")).isEqualTo("a\r\nb\r\nc\r\n.\r\n");
    }

    @Test
    void aDotAfterABareLineBreakIsStuffedToo() {
        assertThat(encode(1024, "a\n.\nb\r.\r\n")).isEqualTo("a\r\n..\r\nb\r\n..\r\n.\r\n");
    }

    @Test
    void contentWithoutAFinalLineBreakGetsOneBeforeTheDot() {
        assertThat(encode(1024, "last")).isEqualTo("last\r\n.\r\n");
        assertThat(encode(1024, "")).isEqualTo(".\r\n");
    }

    @Test
    void chunkBoundariesDoNotChangeTheResult() {
        String input = "x\r\n.y\r\n\r\n.\r\nz\r\r\n.\n";
        String expected = encode(4096, input);
        for (int chunk = 1; chunk < 8; chunk++) {
            assertThat(encode(chunk, input)).as("chunk %d", chunk).isEqualTo(expected);
        }
        assertThat(expected).isEqualTo("x\r\n..y\r\n\r\n..\r\nz\r\n\r\n..\r\n.\r\n");
    }
}
