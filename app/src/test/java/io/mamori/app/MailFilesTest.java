package io.mamori.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Splitting mbox files for {@code eval}: what an mboxrd writer wrote comes back message by message. */
class MailFilesTest {

    @TempDir
    Path dir;

    /** Lines a message may hold that an mbox reader can trip over, and plain ones. */
    private static final List<String> LINES = List.of("From: a@example.net", "Subject: x", "", "From here on", "From  ",
            ">From quoted once", ">>From quoted twice", "From", " From indented", "text", "From x@y Sat Nov 28 2026",
            ">", "From:", "\u3053\u3093\u306B\u3061\u306F From");

    /**
     * Random messages (fixed seed) written as mboxrd writers do (a "From " line before each, every line matching
     * {@code >*From } given one more {@code >}, a blank line after each), with LF or CRLF ends, split again: the same
     * messages, each with the blank line that separated it.
     */
    @Test
    void splittingWhatAnMboxrdWriterWroteGivesTheMessagesBack() throws Exception {
        Random random = new Random(20261129);
        for (int round = 0; round < 500; round++) {
            String eol = random.nextBoolean() ? "\n" : "\r\n";
            List<String> messages = new ArrayList<>();
            StringBuilder mbox = new StringBuilder();
            int count = 1 + random.nextInt(4);
            for (int m = 0; m < count; m++) {
                StringBuilder message = new StringBuilder();
                mbox.append("From sender@example.net Sun Nov 29 08:00:00 2026").append(eol);
                int lines = random.nextInt(8);
                for (int l = 0; l < lines; l++) {
                    String line = LINES.get(random.nextInt(LINES.size()));
                    message.append(line).append(eol);
                    mbox.append(line.replaceFirst("^(>*From )", ">$1")).append(eol);
                }
                messages.add(message + eol);
                mbox.append(eol);
            }
            Path file = dir.resolve("r" + round + ".mbox");
            Files.writeString(file, mbox, StandardCharsets.UTF_8);

            List<MailFiles.Item> items = MailFiles.splitMbox(file, MailFiles.MAX_MBOX_MESSAGE);

            assertThat(items).as(mbox.toString()).hasSize(count);
            for (int m = 0; m < count; m++) {
                assertThat(items.get(m).error()).isNull();
                assertThat(items.get(m).index()).isEqualTo(m + 1);
                assertThat(new String(items.get(m).bytes(), StandardCharsets.UTF_8)).as(mbox.toString())
                        .isEqualTo(messages.get(m));
            }
        }
    }

    /**
     * A line longer than the reader's chunk whose end falls between CR and LF, followed by a "From " line: the rest of
     * the long line is no blank line, so the "From " line stays in the message (before, the lone LF counted as a
     * blank line and the message was cut in two).
     */
    @Test
    void theRestOfALongLineIsNeitherABlankLineNorASeparator() throws Exception {
        ByteArrayOutputStream mbox = new ByteArrayOutputStream();
        mbox.writeBytes("From a@example.net Sun Nov 29 08:00:00 2026\r\nSubject: long\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        int before = mbox.size();
        mbox.writeBytes("x".repeat(MailFiles.LINE_CHUNK - 1).getBytes(StandardCharsets.US_ASCII));
        assertThat(mbox.size() - before).isEqualTo(MailFiles.LINE_CHUNK - 1);
        mbox.writeBytes("\r\nFrom the start of a sentence\r\n".getBytes(StandardCharsets.US_ASCII));
        // and a chunk that ends just before ">From " in the middle of a line: not unquoted
        mbox.writeBytes("y".repeat(MailFiles.LINE_CHUNK).getBytes(StandardCharsets.US_ASCII));
        mbox.writeBytes(">From the middle\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        Path file = dir.resolve("long.mbox");
        Files.write(file, mbox.toByteArray());

        List<MailFiles.Item> items = MailFiles.splitMbox(file, MailFiles.MAX_MBOX_MESSAGE);

        assertThat(items).hasSize(1);
        String message = new String(items.get(0).bytes(), StandardCharsets.US_ASCII);
        assertThat(message).contains("x\r\nFrom the start of a sentence\r\n").contains("y>From the middle\r\n");
    }

    @Test
    void textBeforeTheFirstSeparatorAndOversizedMessagesAreReportedNotDropped() throws Exception {
        Path file = dir.resolve("odd.mbox");
        Files.writeString(file, "Subject: no separator first\n\nbody\n\nFrom a@x Sun Nov 29 08:00:00 2026\nSubject: ok\n\nfine\n\n"
                + "From b@x Sun Nov 29 08:00:00 2026\nSubject: big\n\n" + "z".repeat(200) + "\n");

        List<MailFiles.Item> items = MailFiles.splitMbox(file, 100);

        assertThat(items).extracting(MailFiles.Item::index).containsExactly(0, 1, 2);
        assertThat(items.get(0).error()).contains("最初の区切り行", "before the first mbox separator");
        assertThat(items.get(1).error()).isNull();
        assertThat(new String(items.get(1).bytes(), StandardCharsets.US_ASCII)).isEqualTo("Subject: ok\n\nfine\n\n");
        assertThat(items.get(2).error()).contains("larger than 100 bytes");

        Path blankStart = dir.resolve("blank.mbox");
        Files.writeString(blankStart, "\n\nFrom a@x Sun Nov 29 08:00:00 2026\nSubject: ok\n\n");
        assertThat(MailFiles.splitMbox(blankStart, 100)).extracting(MailFiles.Item::error).containsExactly((String) null);
    }
}
