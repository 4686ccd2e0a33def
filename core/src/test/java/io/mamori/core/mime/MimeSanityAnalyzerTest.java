package io.mamori.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MimeSanityAnalyzerTest {

    private final MimeSanityAnalyzer analyzer = new MimeSanityAnalyzer();

    private static final Envelope ENVELOPE = new Envelope(Direction.INBOUND, "sender@example.net",
            List.of("a@example.co.jp"), "192.0.2.1", "mail.example.net", null, false, Instant.EPOCH);

    private List<Finding> analyze(ParsedMessage m) {
        return analyzer.analyze(new AnalysisInput(ENVELOPE, m));
    }

    private static ParsedMessage parse(String message) throws IOException {
        return new MessageParser().parse(new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "badbound.msg|message: multipart ended without its closing boundary (+1 more)",
        "missing_body.eml|message: multipart ended without its closing boundary (+1 more)",
        "raw_email4.eml|message: multipart ended without its closing boundary",
        "multi-frag.msg|part 3.2: invalid byte in base64 content (+2 more)",
    })
    void malformedCorpusMailIsReportedWithTheFirstDefectAsEvidence(String file, String evidence) {
        assertThat(analyze(Fixtures.parse("malformed-corpus/" + file)))
                .containsExactly(Finding.of("MIME_MALFORMED", evidence));
    }

    @Test
    void eachLimitHasItsOwnCode() throws IOException {
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            deep.append("Content-Type: multipart/mixed; boundary=d").append(i).append("\r\n\r\n--d").append(i).append("\r\n");
        }
        deep.append("\r\nx\r\n");
        StringBuilder wide = new StringBuilder("Content-Type: multipart/mixed; boundary=w\r\n\r\n");
        for (int i = 0; i < 1001; i++) {
            wide.append("--w\r\n\r\nx\r\n");
        }
        wide.append("--w--\r\n");

        assertThat(analyze(parse(deep.toString()))).extracting(Finding::code)
                .contains("MIME_TOO_DEEP", "MIME_MALFORMED");
        assertThat(analyze(parse(wide.toString()))).containsExactly(Finding.of("MIME_TOO_MANY_PARTS",
                "more than 1000 body parts; later parts were not examined"));
        assertThat(analyze(parse("Subject: x\r\nX-Pad: " + "a".repeat(70_000) + "\r\n\r\nbody\r\n")))
                .containsExactly(
                        Finding.of("MIME_HEADER_LIMIT", "message: header line longer than 65536 bytes; the rest of the message was not examined"),
                        Finding.of("MIME_LONG_LINE", "1 line(s) longer than 998 characters, first at line 2, longest 70007"));
    }

    @Test
    void wellFormedJapaneseMailRaisesNothing() {
        assertThat(analyze(Fixtures.parse("japanese/iso2022jp-vendor-characters.eml"))).isEmpty();
        assertThat(analyze(Fixtures.parse("japanese/rfc2231-and-raw-file-names.eml"))).isEmpty();
        assertThat(analyze(Fixtures.parse("japanese-corpus/pc-mail-multi.eml"))).isEmpty();
    }
}
