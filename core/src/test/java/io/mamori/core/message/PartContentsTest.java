package io.mamori.core.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartContentsTest {

    @TempDir
    Path temp;

    private static String message(String... parts) {
        StringBuilder b = new StringBuilder("Subject: files\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n");
        for (String p : parts) {
            b.append("--b\r\n").append(p).append("\r\n");
        }
        return b.append("--b--\r\n").toString();
    }

    private static String base64Attachment(String name, byte[] content) {
        return "Content-Type: application/octet-stream; name=" + name + "\r\nContent-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=" + name + "\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(content);
    }

    private ParsedMessage parse(MessageParser parser, String raw) throws IOException {
        return parser.parse(new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII)));
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> files = Files.list(temp)) {
            return files.toList();
        }
    }

    @Test
    void attachmentBytesAreKeptDecodedWhileTextBodiesAreNot() throws IOException {
        byte[] pdf = "%PDF-1.4\n%fake\n".getBytes(StandardCharsets.US_ASCII);
        try (ParsedMessage m = parse(new MessageParser(ParseLimits.defaults(), temp),
                message("Content-Type: text/plain\r\n\r\nhello", base64Attachment("a.pdf", pdf)))) {

            assertThat(m.parts().get(0).content()).isNull();
            PartContent content = m.parts().get(1).content();
            assertThat(content.complete()).isTrue();
            assertThat(content.length()).isEqualTo(pdf.length);
            try (InputStream in = content.open()) {
                assertThat(in.readAllBytes()).isEqualTo(pdf);
            }
            assertThat(tempFiles()).as("small parts stay on the heap").isEmpty();
        }
    }

    @Test
    void theOfflineParserKeepsLargerPartsOnTheHeapWithinABudgetOfAllItsOpenMessages() throws IOException {
        byte[] big = new byte[PartContents.HEAP_PER_PART + 1000];
        java.util.Arrays.fill(big, (byte) 'q');
        String raw = message(base64Attachment("big.bin", big));
        // two such parts fit the budget in all, a third does not
        MessageParser offline = MessageParser.offline(ParseLimits.defaults(), temp, 2L * big.length + 10);
        ParsedMessage first = parse(offline, raw);
        ParsedMessage second = parse(offline, raw);
        assertThat(tempFiles()).as("over the gateway's per-part limit, on the heap").isEmpty();
        try (ParsedMessage third = parse(offline, raw)) {
            assertThat(tempFiles()).as("past the budget: an encrypted file").hasSize(1);
            try (InputStream in = third.parts().get(0).content().open()) {
                assertThat(in.readAllBytes()).isEqualTo(big);
            }
        }
        assertThat(tempFiles()).isEmpty();
        first.close();
        try (ParsedMessage fourth = parse(offline, raw)) {
            assertThat(tempFiles()).as("the first one's share came back when it was closed").isEmpty();
            try (InputStream in = fourth.parts().get(0).content().open()) {
                assertThat(in.readAllBytes()).isEqualTo(big);
            }
        }
        second.close();
        // a message larger than an offline message's own allowance goes to files whatever the budget
        byte[] huge = new byte[(int) MessageParser.OFFLINE_HEAP_PER_MESSAGE + 1];
        try (ParsedMessage m = parse(MessageParser.offline(ParseLimits.defaults(), temp, Long.MAX_VALUE),
                message(base64Attachment("huge.bin", huge)))) {
            assertThat(tempFiles()).hasSize(1);
        }
    }

    @Test
    void largePartsGoToEncryptedTemporaryFilesThatCloseDeletes() throws IOException {
        byte[] big = new byte[PartContents.HEAP_PER_PART + 1000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('A' + i % 26);
        }
        ParsedMessage m = parse(new MessageParser(ParseLimits.defaults(), temp), message(base64Attachment("big.bin", big)));
        PartContent content = m.parts().get(0).content();

        assertThat(tempFiles()).singleElement().satisfies(f -> {
            byte[] onDisk = Files.readAllBytes(f);
            // Streaming AEAD: a header and a 16-byte tag per 4 KiB segment
            assertThat((long) onDisk.length).isBetween((long) big.length, big.length + big.length / 200L + 64);
            assertThat(new String(onDisk, StandardCharsets.ISO_8859_1)).doesNotContain("ABCDEFGHIJKLMNOP");
        });
        try (InputStream in = content.open()) {
            assertThat(in.readAllBytes()).isEqualTo(big);
        }

        m.close();

        assertThat(tempFiles()).isEmpty();
        assertThat(m.contents().isClosed()).isTrue();
        assertThatThrownBy(content::open).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThat(m.parts()).hasSize(1);
    }

    @Test
    void aHolderNobodyClosedHasItsFilesDeletedOnceItIsGarbage() throws Exception {
        byte[] big = new byte[PartContents.HEAP_PER_PART + 1];
        parse(new MessageParser(ParseLimits.defaults(), temp), message(base64Attachment("big.bin", big)));
        assertThat(tempFiles()).hasSize(1);

        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (!tempFiles().isEmpty() && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }

        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void theBudgetCutsALargeAttachmentAndLaterOnesKeepNothing() throws IOException {
        MessageParser parser = new MessageParser(ParseLimits.defaults().withMaxAttachmentBytes(1000), temp);
        try (ParsedMessage m = parse(parser, message(base64Attachment("a.bin", new byte[600]),
                base64Attachment("b.bin", new byte[600]), base64Attachment("c.bin", new byte[10])))) {

            assertThat(m.parts()).extracting(p -> p.content().length()).containsExactly(600L, 400L, 0L);
            assertThat(m.parts()).extracting(p -> p.content().complete()).containsExactly(true, false, false);
            assertThat(m.parts()).extracting(MimePart::size).containsExactly(600L, 600L, 10L);
        }
    }

    @Test
    void aZeroBudgetKeepsNoContentAtAll() throws IOException {
        MessageParser parser = new MessageParser(ParseLimits.defaults().withMaxAttachmentBytes(0), temp);
        try (ParsedMessage m = parse(parser, message(base64Attachment("a.bin", new byte[10])))) {
            assertThat(m.parts().get(0).content()).isNull();
            assertThat(m.contents()).isSameAs(PartContents.none());
        }
    }

    @Test
    void aFiftyMegabyteAttachmentKeepsTheBudgetOnDiskAndAtMostOneMegabyteOnTheHeap() throws IOException {
        // 50 MiB of base64 generated as it is read: the test itself holds no copy of the message.
        byte[] line = (Base64.getEncoder().encodeToString(new byte[57]) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        long lines = 50L * 1024 * 1024 / 57;
        InputStream body = new InputStream() {
            long served;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (served >= lines * line.length) {
                    return -1;
                }
                int pos = (int) (served % line.length);
                int n = Math.min(len, line.length - pos);
                System.arraycopy(line, pos, b, off, n);
                served += n;
                return n;
            }
        };
        String head = "Subject: big\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=huge.bin\r\n\r\n";
        InputStream raw = new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream(head.getBytes(StandardCharsets.US_ASCII)), body,
                new ByteArrayInputStream("--b--\r\n".getBytes(StandardCharsets.US_ASCII)))));

        try (ParsedMessage m = new MessageParser(ParseLimits.defaults(), temp).parse(raw)) {
            MimePart part = m.parts().get(0);
            assertThat(part.size()).isEqualTo(lines * 57);
            assertThat(part.content().complete()).isFalse();
            assertThat(part.content().length()).isEqualTo(ParseLimits.DEFAULT_MAX_ATTACHMENT_BYTES);
            assertThat(tempFiles()).singleElement()
                    .satisfies(f -> assertThat(Files.size(f)).as("the budget and the AEAD's tags").isBetween(
                            ParseLimits.DEFAULT_MAX_ATTACHMENT_BYTES,
                            ParseLimits.DEFAULT_MAX_ATTACHMENT_BYTES + ParseLimits.DEFAULT_MAX_ATTACHMENT_BYTES / 200 + 64));
        }
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void aFailingInputReleasesWhatWasAlreadyKept() {
        byte[] big = new byte[PartContents.HEAP_PER_PART * 2];
        byte[] head = message(base64Attachment("big.bin", big)).getBytes(StandardCharsets.US_ASCII);
        InputStream failing = new InputStream() {
            int pos;

            @Override
            public int read() throws IOException {
                if (pos >= head.length - 100) {
                    throw new IOException("connection lost");
                }
                return head[pos++] & 0xff;
            }
        };

        assertThatThrownBy(() -> new MessageParser(ParseLimits.defaults(), temp).parse(failing))
                .hasMessageContaining("connection lost");
        assertThat(temp.toFile().list()).isEmpty();
    }

    @Test
    void limitsRefuseANegativeBudget() {
        assertThatThrownBy(() -> ParseLimits.defaults().withMaxAttachmentBytes(-1))
                .hasMessageContaining("maxAttachmentBytes");
    }
}
