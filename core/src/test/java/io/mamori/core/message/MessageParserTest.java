package io.mamori.core.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageParserTest {

    private final MessageParser parser = new MessageParser();

    private ParsedMessage parse(String message) throws IOException {
        return parser.parse(new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<MimeDefect.Kind> kinds(ParsedMessage m) {
        return m.defects().stream().map(MimeDefect::kind).toList();
    }

    @Test
    void anAttachmentTheDiskRefusesToKeepFailsTheParseInsteadOfPassingAsAMalformation(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws IOException {
        java.nio.file.Files.writeString(dir.resolve("plain-file"), "x");
        MessageParser refused = new MessageParser(ParseLimits.defaults(), dir.resolve("plain-file").resolve("parts"));
        String attachment = java.util.Base64.getMimeEncoder().encodeToString(new byte[PartContents.HEAP_PER_PART + 4096]);
        String message = "From: a@example.jp\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                + "Content-Type: text/plain\r\n\r\nsee the file\r\n--b\r\nContent-Type: application/octet-stream;"
                + " name=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n" + attachment + "\r\n--b--\r\n";
        // unread, the attachment would go unscanned: the caller defers the message instead (451)
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> refused.parse(new ByteArrayInputStream(
                message.getBytes(StandardCharsets.US_ASCII)))).isInstanceOf(StorageFailure.class);
        // what fits on the heap needs no disk
        assertThat(refused.parse(new ByteArrayInputStream("From: a@example.jp\r\n\r\nhello\r\n"
                .getBytes(StandardCharsets.US_ASCII))).parts()).extracting(MimePart::text).containsExactly("hello\r\n");
    }

    @Test
    void describesPartsOfAMultipartMessageAndKeepsOnlyText() throws IOException {
        ParsedMessage m = parse("""
                From: a@example.jp\r
                Subject: =?UTF-8?B?5pel5pys6Kqe?=\r
                Content-Type: multipart/mixed; boundary=b\r
                \r
                --b\r
                Content-Type: multipart/alternative; boundary=c\r
                \r
                --c\r
                Content-Type: text/plain; charset=utf-8\r
                \r
                hello\r
                --c\r
                Content-Type: text/html\r
                \r
                <meta charset="shift_jis"><p>hi</p>\r
                --c--\r
                --b\r
                Content-Type: application/pdf; name=report.pdf\r
                Content-Transfer-Encoding: base64\r
                \r
                JVBERi0xLjQK\r
                --b--\r
                """);

        assertThat(m.subject()).isEqualTo("日本語");
        assertThat(m.parts()).extracting(MimePart::path).containsExactly("1.1", "1.2", "2");
        assertThat(m.parts()).extracting(MimePart::depth).containsExactly(2, 2, 1);
        assertThat(m.parts()).extracting(MimePart::contentType).containsExactly("text/plain", "text/html", "application/pdf");
        assertThat(m.parts()).extracting(MimePart::text).containsExactly("hello", "<meta charset=\"shift_jis\"><p>hi</p>", null);
        assertThat(m.attachments()).singleElement().satisfies(p -> {
            assertThat(p.filename()).isEqualTo("report.pdf");
            assertThat(p.size()).isEqualTo(9);
        });
        assertThat(m.maxDepth()).isEqualTo(2);
        assertThat(m.defects()).isEmpty();
    }

    @Test
    void readsTheInputToItsEndAndCountsEveryByte() throws IOException {
        byte[] raw = ("Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nbody\r\n--b--\r\n"
                + "epilogue that the parser has no use for\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteArrayInputStream in = new ByteArrayInputStream(raw);

        ParsedMessage m = parser.parse(in);

        assertThat(in.available()).isZero();
        assertThat(m.rawSize()).isEqualTo(raw.length);
        assertThat(m.defects()).isEmpty();
    }

    @Test
    void twoHundredLevelsOfNestingStopAtTheDepthLimit() throws IOException {
        StringBuilder sb = new StringBuilder("Subject: deep\r\n");
        for (int i = 0; i < 200; i++) {
            sb.append("Content-Type: multipart/mixed; boundary=\"b").append(i).append("\"\r\n\r\n--b").append(i).append("\r\n");
        }
        sb.append("Content-Type: text/plain\r\n\r\nhello\r\n");
        for (int i = 199; i >= 0; i--) {
            sb.append("--b").append(i).append("--\r\n");
        }

        ParsedMessage m = parse(sb.toString());

        assertThat(kinds(m)).containsExactly(MimeDefect.Kind.TOO_DEEP);
        assertThat(m.defects().get(0).detail()).endsWith("nesting deeper than 50; deeper parts were not examined");
        assertThat(m.maxDepth()).isEqualTo(51);
        assertThat(m.parts()).singleElement().satisfies(p -> {
            assertThat(p.contentType()).isEqualTo("multipart/mixed");
            assertThat(p.depth()).isEqualTo(50);
        });
    }

    @Test
    void tenThousandPartsStopBeingRecordedAtThePartLimit() throws IOException {
        StringBuilder sb = new StringBuilder("Subject: many\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n");
        for (int i = 0; i < 10_000; i++) {
            sb.append("--x\r\nContent-Type: application/octet-stream; name=a").append(i).append(".bin\r\n\r\nAAAA\r\n");
        }
        sb.append("--x--\r\n");

        ParsedMessage m = parse(sb.toString());

        assertThat(m.parts()).hasSize(1000);
        assertThat(m.parts().get(999).filename()).isEqualTo("a999.bin");
        assertThat(m.defects()).containsExactly(new MimeDefect(MimeDefect.Kind.TOO_MANY_PARTS,
                "more than 1000 body parts; later parts were not examined"));
    }

    @Test
    void fiftyMegabyteMessageStreamsThroughWithoutBeingHeld() throws IOException {
        long bodyBytes = 50L * 1024 * 1024;
        InputStream head = new ByteArrayInputStream(("Subject: big\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n"
                + "--z\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n"
                + "--z\r\nContent-Type: application/pdf; name=big.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        InputStream tail = new ByteArrayInputStream("\r\n--z--\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream message = new SequenceInputStream(head, new SequenceInputStream(new Base64Lines(bodyBytes), tail));

        ParsedMessage m = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> parser.parse(message));

        assertThat(m.rawSize()).isGreaterThan(bodyBytes);
        assertThat(m.attachments()).singleElement().satisfies(p -> assertThat(p.size()).isEqualTo(bodyBytes / 78 * 57));
        assertThat(m.parts().get(0).text()).isEqualTo("see attachment");
        assertThat(m.defects()).isEmpty();
    }

    @Test
    void textKeptPerPartIsCapped() throws IOException {
        MessageParser small = new MessageParser(new ParseLimits(50, 1000, 1000, 65536, 10, 15));
        ParsedMessage m = small.parse(new ByteArrayInputStream(("Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\n\r\n0123456789abcdef\r\n--b\r\n\r\nABCDEFGHIJ\r\n--b--\r\n").getBytes(StandardCharsets.US_ASCII)));

        assertThat(m.parts()).extracting(MimePart::text).containsExactly("0123456789", "ABCDE");
        assertThat(m.parts()).extracting(MimePart::size).containsExactly(16L, 10L);
    }

    @Test
    void aTextPartSaysWhetherItsWholeTextWasKept() throws IOException {
        MessageParser small = new MessageParser(new ParseLimits(50, 1000, 1000, 65536, 10, 25));
        ParsedMessage m = small.parse(new ByteArrayInputStream(("Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\n\r\n0123456789\r\n--b\r\n\r\n0123456789a\r\n--b\r\n\r\nABCD\r\n--b\r\n\r\nxyz\r\n"
                + "--b\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\r\n--b--\r\n").getBytes(StandardCharsets.US_ASCII)));

        // a part at the limit is whole; past the per-part limit, or past what the message's total leaves, it is not
        assertThat(m.parts()).extracting(MimePart::text).containsExactly("0123456789", "0123456789", "ABCD", "x", null);
        assertThat(m.parts()).extracting(MimePart::textComplete).containsExactly(true, false, true, false, true);
    }

    @Test
    void headerLimitsAreDefectsNotFailures() throws IOException {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        ParsedMessage tooMany = parse("Subject: x\r\n" + many + "\r\nbody\r\n");
        ParsedMessage tooLong = parse("Subject: x\r\nX-Long: " + "a".repeat(200_000) + "\r\n\r\nbody\r\n");
        ParsedMessage tooLongFolded = parse("Subject: x\r\nX-Long: a\r\n" + " a\r\n".repeat(30_000) + "\r\nbody\r\n");

        assertThat(tooMany.defects()).containsExactly(new MimeDefect(MimeDefect.Kind.HEADER_LIMIT,
                "message: more than 1000 header fields; the rest were ignored"));
        assertThat(tooMany.headers()).hasSize(1000);
        assertThat(tooMany.parts()).singleElement().extracting(MimePart::text).isEqualTo("body\r\n");
        assertThat(kinds(tooLong)).containsExactly(MimeDefect.Kind.HEADER_LIMIT, MimeDefect.Kind.LONG_LINE);
        assertThat(tooLong.rawSize()).isGreaterThan(200_000);
        assertThat(tooLongFolded.defects()).containsExactly(new MimeDefect(MimeDefect.Kind.HEADER_LIMIT,
                "message: header field longer than 65536 bytes; the rest of the message was not examined"));
    }

    /**
     * Fields dropped past the limit, or never read after an over-long field, were gone without a trace but a defect:
     * a second From among them was in the message for its reader and not in the headers analysed.
     */
    @Test
    void aHeaderCutOffByTheLimitsIsNotComplete() throws IOException {
        String padding = "X-Pad: a\r\n".repeat(1000);
        assertThat(parse("From: x@evil.example\r\n" + padding + "From: ceo@victim.example\r\n\r\nbody\r\n")
                .headerComplete()).isFalse();
        assertThat(parse("From: x@evil.example\r\nX-Long: " + "a".repeat(70_000) + "\r\nFrom: ceo@victim.example\r\n"
                + "\r\nbody\r\n").headerComplete()).isFalse();
        // a field limit in a body part leaves the message's own header whole; so does a header with no empty line
        assertThat(parse("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + padding
                + "X-Last: a\r\n\r\npart\r\n--b--\r\n").headerComplete()).isTrue();
        assertThat(parse("From: a@example.com\r\nSubject: x\r\n").headerComplete()).isTrue();
        assertThat(parse("From: a@example.com\r\n" + "X-Pad: a\r\n".repeat(999) + "\r\nbody\r\n").headerComplete())
                .isTrue();
    }

    @Test
    void linesLongerThan998CharactersAreOneDefect() throws IOException {
        ParsedMessage m = parse("Subject: x\r\n\r\n" + "b".repeat(1000) + "\r\nok\r\n" + "c".repeat(5000) + "\r\n");

        assertThat(m.defects()).containsExactly(new MimeDefect(MimeDefect.Kind.LONG_LINE,
                "2 line(s) longer than 998 characters, first at line 3, longest 5000"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Subject: x\r\nContent-Type: multipart/mixed\r\n\r\nbody\r\n|message: multipart/mixed without boundary",
        "Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n\r\nunterminated\r\n|message: multipart ended without its closing boundary",
        "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!@@@@\r\n|message: invalid byte in base64 content",
        "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nab=ZZcd\r\n|message: invalid quoted-printable escape",
        "Subject: x\r\nthis line is no header\r\n\r\nbody\r\n|message: invalid header field (no name or no colon)",
        "Content-Type: multipart/mixed; boundary=q\r\n\r\n--q--\r\n|message: multipart without body parts",
    })
    void malformedStructureBecomesASpecificDefect(String messageAndDetail) throws IOException {
        String[] split = messageAndDetail.split("\\|");

        ParsedMessage m = parse(split[0]);

        assertThat(m.defects()).contains(new MimeDefect(MimeDefect.Kind.MALFORMED, split[1]));
    }

    @Test
    void benignVariationsAreNotDefects() throws IOException {
        ParsedMessage lfOnly = parse("Subject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
                + "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nline =\nwrapped  \n--b--\n");
        ParsedMessage mbox = parse("From sender@example.jp Mon Jan  1 00:00:00 2024\r\nSubject: x\r\n\r\nbody\r\n");
        ParsedMessage headerOnly = parse("Subject: only a header");
        ParsedMessage bounceStyle = parse("Content-Type: multipart/report; boundary=r\r\n\r\n--r\r\n\r\nno part header\r\n--r--\r\n");

        assertThat(lfOnly.defects()).isEmpty();
        // RFC 2045 section 6.7: trailing white space of a quoted-printable line is removed
        assertThat(lfOnly.parts().get(0).text()).isEqualTo("line wrapped");
        assertThat(mbox.defects()).isEmpty();
        assertThat(mbox.subject()).isEqualTo("x");
        assertThat(headerOnly.defects()).isEmpty();
        assertThat(bounceStyle.defects()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"badbound.msg", "multi-frag.msg", "missing_body.eml", "raw_email4.eml"})
    void malformedMailFromTheCorpusIsReportedAndStillReadToTheEnd(String file) throws IOException {
        byte[] raw = Fixtures.bytes("malformed-corpus/" + file);

        ParsedMessage m = parser.parse(new ByteArrayInputStream(raw));

        assertThat(kinds(m)).contains(MimeDefect.Kind.MALFORMED);
        assertThat(m.rawSize()).isEqualTo(raw.length);
    }

    @Test
    void aFailingInputStreamIsTheCallersErrorNotADefect() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk gone");
            }
        };
        assertThatThrownBy(() -> parser.parse(broken)).isInstanceOf(IOException.class).hasMessage("disk gone");
    }

    @Test
    void invalidLimitsAreRefused() {
        assertThatThrownBy(() -> new ParseLimits(0, 1, 1, 1000, 0, 0)).hasMessageContaining("maxDepth");
        assertThatThrownBy(() -> new ParseLimits(1, 1, 1, 10, 0, 0)).hasMessageContaining("maxHeaderFieldLength");
    }

    /** Generates base64 lines (76 characters + CRLF, 57 decoded bytes each) without holding them. */
    private static final class Base64Lines extends InputStream {
        private static final byte[] LINE = ("QUFB".repeat(19) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        private long left;
        private int pos;

        Base64Lines(long bytes) {
            this.left = bytes / LINE.length * LINE.length;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            int b = LINE[pos];
            pos = (pos + 1) % LINE.length;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
                b[off + i] = LINE[pos];
                pos = (pos + 1) % LINE.length;
            }
            left -= n;
            return n;
        }
    }

    @Test
    void aMimeFieldGivenTwiceWithDifferentValuesIsADefect() throws IOException {
        // a real message (Enron, via the Ruby mail gem): multipart/alternative, then text/plain, in one header
        ParsedMessage m = new MessageParser().parse(new ByteArrayInputStream(Fixtures.bytes("malformed-corpus/multiple_content_types.eml")));

        assertThat(m.defects()).containsExactly(new MimeDefect(MimeDefect.Kind.MALFORMED,
                "message: Content-type given twice with different values"));
    }

    @Test
    void aMimeFieldRepeatedWithTheSameValueOrInOtherPartsIsNoDefect() throws IOException {
        String raw = "Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n"
                + "Content-Type: multipart/mixed;\r\n boundary=B\r\n\r\n"
                + "--B\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\n\r\na\r\n"
                + "--B\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nPGI+\r\n--B--\r\n";

        ParsedMessage m = new MessageParser().parse(new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII)));

        assertThat(m.defects()).isEmpty();
    }

    @Test
    void twoTransferEncodingsInOnePartAreOneDefectNamingThePart() throws IOException {
        String raw = "Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
                + "--B\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\nContent-Transfer-Encoding: base64\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n\r\nYQ==\r\n--B--\r\n";

        ParsedMessage m = new MessageParser().parse(new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII)));

        assertThat(m.defects()).containsExactly(new MimeDefect(MimeDefect.Kind.MALFORMED,
                "part 1: Content-Transfer-Encoding given twice with different values"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "Content-Type: application/octet-stream; name=\"report.js\"\r\nContent-Disposition: attachment; filename=\"report.txt\"",
            "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"report.txt\"; filename=\"report.js\"",
            "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"report.txt\"\r\n"
                    + "Content-Disposition: attachment; filename=\"report.js\"",
            "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=x-bogus''report.txt; filename=\"report.js\""})
    void everyNameAClientMightShowIsKeptBesidesTheOneTheParserChose(String header) throws IOException {
        ParsedMessage m = parse("Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
                + "--B\r\n" + header + "\r\n\r\nabc\r\n--B--\r\n");

        MimePart part = m.parts().get(0);
        assertThat(part.filename()).isEqualTo("report.txt");
        assertThat(part.names()).containsExactly("report.txt", "report.js");
    }

    @Test
    void theSectionsOfABrokenRfc2231NameBeforeItsGapAreAlsoAName() throws IOException {
        ParsedMessage m = parse("Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
                + "--B\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Disposition: attachment; filename*0=\"report.js\"; filename*2=\"x.txt\"\r\n\r\nabc\r\n--B--\r\n");

        assertThat(m.parts().get(0).names()).containsExactly("report.jsx.txt", "report.js");
    }
}
