package io.mamori.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DotTerminatedDataTest {

    private static BufferedInputStream wire(String text) {
        return new BufferedInputStream(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), 8192);
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String rest(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void stopsExactlyAfterTheTerminatorAndLeavesPipelinedCommandsUnread() throws IOException {
        BufferedInputStream in = wire("a\r\n..b\r\n.\r\nQUIT\r\n");
        DotTerminatedData data = new DotTerminatedData(in, 1000, 1000);
        assertThat(readAll(data)).isEqualTo("a\r\n.b\r\n");
        assertThat(data.ended()).isTrue();
        assertThat(rest(in)).isEqualTo("QUIT\r\n");
    }

    @Test
    void anEmptyMessageIsJustTheTerminator() throws IOException {
        BufferedInputStream in = wire(".\r\nNOOP\r\n");
        assertThat(readAll(new DotTerminatedData(in, 1000, 1000))).isEmpty();
        assertThat(rest(in)).isEqualTo("NOOP\r\n");
    }

    @Test
    void onlyCrLfDotCrLfEndsTheData() throws IOException {
        String content = "x\n.\ny\r\n.\rz\r\n.x\r\n";
        BufferedInputStream in = wire(content + ".\r\nNEXT");
        // (the bare CR after a transparency dot is stored as CRLF: aBareCrIsStoredAsCrLf…)
        assertThat(readAll(new DotTerminatedData(in, 1000, 1000))).isEqualTo("x\n.\ny\r\n\r\nz\r\nx\r\n");
        assertThat(rest(in)).isEqualTo("NEXT");
    }

    @Test
    void worksByteByByteWithoutMarkSupport() throws IOException {
        InputStream in = new ByteArrayInputStream("a\r\n..b\r\n.\r\nQUIT".getBytes(StandardCharsets.US_ASCII)) {
            @Override
            public boolean markSupported() {
                return false;
            }
        };
        assertThat(readAll(new DotTerminatedData(in, 1000, 1000))).isEqualTo("a\r\n.b\r\n");
        assertThat(rest(in)).isEqualTo("QUIT");
    }

    @Test
    void aMessageOfExactlyTheLimitPassesAndOneByteMoreIsRejectedThenDrained() throws IOException {
        String body = "12345678\r\n";
        assertThat(readAll(new DotTerminatedData(wire(body + ".\r\n"), 10, 1000))).isEqualTo(body);

        BufferedInputStream in = wire(body + "9\r\n.\r\nRSET\r\n");
        DotTerminatedData data = new DotTerminatedData(in, 10, 1000);
        assertThatThrownBy(() -> readAll(data)).isInstanceOf(DotTerminatedData.LimitExceeded.class)
                .hasMessage("552 5.3.4 Message size exceeds fixed maximum message size");
        data.drain();
        assertThat(data.ended()).isTrue();
        assertThat(rest(in)).isEqualTo("RSET\r\n");
    }

    @Test
    void aLineOf1000BytesWithCrLfPassesAnd1001IsRejected() throws IOException {
        String ok = "a".repeat(998) + "\r\n";
        assertThat(readAll(new DotTerminatedData(wire(ok + ".\r\n"), 100_000, 1000))).isEqualTo(ok);

        DotTerminatedData data = new DotTerminatedData(wire("a".repeat(999) + "\r\n.\r\n"), 100_000, 1000);
        assertThatThrownBy(() -> readAll(data)).isInstanceOf(DotTerminatedData.LimitExceeded.class)
                .hasMessageStartingWith("554 5.6.0");
        data.drain();
        assertThat(data.rejection()).startsWith("554 5.6.0");
    }

    @Test
    void bareLfLineEndsDoNotAddUpToOneLongLine() throws IOException {
        String content = ("b".repeat(500) + "\n").repeat(10);
        assertThat(readAll(new DotTerminatedData(wire(content + "\r\n.\r\n"), 100_000, 1000))).isEqualTo(content + "\r\n");
    }

    @Test
    void aBareCrIsStoredAsCrLfSoTheParserSeesTheLinesTheNextHopWillSee() throws IOException {
        // read by LF alone (as Mime4j does), "hi\r--B" would be one line of text; sent on as "hi\r\n--B", a boundary
        String wire = "--B\r\nContent-Type: text/plain\r\n\r\nhi\r--B\r\nContent-Type: application/x-msdownload\r\n\r\n"
                + "MZ\r\n--B--\r\n";
        assertThat(readAll(new DotTerminatedData(wire(wire + ".\r\n"), 100_000, 1000))).isEqualTo(
                "--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B\r\nContent-Type: application/x-msdownload\r\n\r\n"
                        + "MZ\r\n--B--\r\n");
        // two in a row, one at the end, and one after a transparency dot: each its own line end, and the byte after a
        // bare CR is content, never stuffing
        assertThat(readAll(new DotTerminatedData(wire("a\r\r.b\r\n..\rc\r\nd\r\r\n.\r\n"), 100_000, 1000)))
                .isEqualTo("a\r\n\r\n.b\r\n.\r\nc\r\nd\r\n\r\n");
        // split across reads: the same bytes one at a time
        InputStream byteByByte = new ByteArrayInputStream("x\r.y\r\n.\rz\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readAll(new DotTerminatedData(byteByByte, 100_000, 1000))).isEqualTo("x\r\n.y\r\n\r\nz\r\n");
    }

    @Test
    void aBareCrEndsItsLineForTheLengthLimitAndTheTransparencyDotDoesNotCount() throws IOException {
        String lines = "a".repeat(999) + "\r" + "b".repeat(998) + "\r\n";
        assertThat(readAll(new DotTerminatedData(wire(lines + ".\r\n"), 100_000, 1000)))
                .isEqualTo("a".repeat(999) + "\r\n" + "b".repeat(998) + "\r\n");
        // a 1000-byte line that begins with a dot arrives as 1001 bytes with its transparency dot
        String dotted = "." + "c".repeat(997) + "\r\n";
        assertThat(readAll(new DotTerminatedData(wire("." + dotted + ".\r\n"), 100_000, 1000))).isEqualTo(dotted);
    }

    /**
     * What the DATA reader must give, written the plain way for comparison: wire lines end at CRLF only; a line that
     * is a lone dot ends the data; a leading dot is removed; then each bare CR of the content becomes CRLF.
     *
     * @return the content and how many wire bytes it took (up to and including the terminator)
     */
    private static java.util.Map.Entry<String, Integer> reference(String wire) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        while (true) {
            if (wire.startsWith(".\r\n", pos)) {
                return java.util.Map.entry(out.toString().replaceAll("\r(?!\n)", "\r\n"), pos + 3);
            }
            if (wire.startsWith(".", pos)) {
                pos++;
            }
            int end = wire.indexOf("\r\n", pos);
            if (end < 0) {
                throw new IllegalStateException("no terminator in " + wire);
            }
            out.append(wire, pos, end + 2);
            pos = end + 2;
        }
    }

    /** Answers each read with 1 to 7 bytes, so that the reader's state crosses every kind of chunk boundary. */
    private static InputStream dribbling(byte[] bytes, java.util.Random random) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(7)));
            }
        };
    }

    @Test
    void anyMixOfDotsCrsAndLfsDecodesAsThePlainReadingSaysWhereverTheReadsAreCut() throws IOException {
        java.util.Random random = new java.util.Random(20261130);
        char[] alphabet = {'a', 'a', '.', '.', '\r', '\r', '\n', '\n', '\u00e9'};
        for (int round = 0; round < 3_000; round++) {
            StringBuilder content = new StringBuilder();
            int length = random.nextInt(60);
            for (int i = 0; i < length; i++) {
                content.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String wire = content + "\r\n.\r\nNEXT";
            java.util.Map.Entry<String, Integer> expected = reference(wire);
            byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
            String rest = wire.substring(expected.getValue());

            BufferedInputStream chunked = new BufferedInputStream(dribbling(bytes, random), 16);
            DotTerminatedData data = new DotTerminatedData(chunked, 100_000, 100_000);
            assertThat(new String(data.readAllBytes(), StandardCharsets.ISO_8859_1)).as("wire %s", wire.replace("\r", "\\r")
                    .replace("\n", "\\n")).isEqualTo(expected.getKey());
            assertThat(new String(chunked.readAllBytes(), StandardCharsets.ISO_8859_1)).as("left for the session").isEqualTo(rest);

            InputStream byteByByte = new ByteArrayInputStream(bytes);
            assertThat(new String(new DotTerminatedData(byteByByte, 100_000, 100_000).readAllBytes(),
                    StandardCharsets.ISO_8859_1)).isEqualTo(expected.getKey());
        }
    }

    @Test
    void drainingStopsAtTwiceTheLimitSoAnEndlessSenderIsCutOff() {
        DotTerminatedData data = new DotTerminatedData(wire("z".repeat(200) + "\r\n".repeat(5000)), 1024, 100_000);
        assertThatThrownBy(data::drain).isInstanceOf(DotTerminatedData.TooMuchData.class);
    }

    @Test
    void aConnectionClosedBeforeTheTerminatorIsATransportFailure() {
        DotTerminatedData data = new DotTerminatedData(wire("half a message\r\n"), 1000, 1000);
        assertThatThrownBy(() -> readAll(data)).isInstanceOf(EOFException.class);
        assertThat(data.transportFailure()).isInstanceOf(EOFException.class);
    }

    @Test
    void afterATimeoutEveryLaterReadFailsAtOnceWithoutWaitingOnTheConnectionAgain() {
        int[] reads = {0};
        InputStream stalled = new InputStream() {
            @Override
            public int read() throws IOException {
                reads[0]++;
                throw new java.net.SocketTimeoutException("Read timed out");
            }
        };
        DotTerminatedData data = new DotTerminatedData(stalled, 1000, 1000);
        assertThatThrownBy(() -> readAll(data)).isInstanceOf(java.net.SocketTimeoutException.class);
        // the parser's drain, the spool's consume and the session's drain each read again
        assertThatThrownBy(() -> readAll(data)).isInstanceOf(java.net.SocketTimeoutException.class);
        assertThatThrownBy(data::drain).isInstanceOf(java.net.SocketTimeoutException.class);
        assertThat(reads[0]).as("the connection was waited on once").isEqualTo(1);
    }

    @Test
    void largeMessagesAreStreamedInChunks() throws IOException {
        String line = "0123456789".repeat(7) + "\r\n";
        String content = line.repeat(20_000);
        DotTerminatedData data = new DotTerminatedData(wire(content + ".\r\n"), 10_000_000, 1000);
        byte[] buffer = new byte[65536];
        int first = data.read(buffer, 0, buffer.length);
        assertThat(first).as("one read returns at most one decoded chunk").isLessThanOrEqualTo(8192);
        assertThat(first + readAll(data).length()).isEqualTo(content.length());
        assertThat(data.size()).isEqualTo(content.length());
    }
}
