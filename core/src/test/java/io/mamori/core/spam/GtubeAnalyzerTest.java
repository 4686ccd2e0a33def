package io.mamori.core.spam;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SpamAssassin's own GTUBE test messages (Apache-2.0, messages/README.md) and our variants of where the string is. */
class GtubeAnalyzerTest {

    private static final Envelope ENVELOPE = new Envelope(Direction.INBOUND, "", List.of(), "", "", null, false, null);
    private final GtubeAnalyzer analyzer = new GtubeAnalyzer();

    private List<Finding> analyze(ParsedMessage message) {
        return analyzer.analyze(new AnalysisInput(ENVELOPE, message));
    }

    private static ParsedMessage message(String raw) throws IOException {
        return new MessageParser().parse(new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void spamAssassinsGtubeMessagesHoldItAndItsNearMissDoesNot() {
        assertThat(analyze(Fixtures.parse("spam/spamassassin-gtube.eml")))
                .containsExactly(Finding.of("GTUBE", "part 1"));
        assertThat(analyze(Fixtures.parse("spam/spamassassin-018.eml")))
                .containsExactly(Finding.of("GTUBE", "part 1"));
        // "What, I sent you the GTUBE? oops!": the name of the test is not the test
        assertThat(analyze(Fixtures.parse("spam/spamassassin-not_gtube.eml"))).isEmpty();
    }

    @Test
    void theVisibleTextOfAnHtmlBodyCountsButAnAttachedFileOrACommentDoesNot() throws IOException {
        String head = "From: a@example.org\r\nTo: b@example.co.jp\r\nSubject: test\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
        ParsedMessage html = message(head + "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\n"
                + "Content-Type: text/html\r\n\r\n<p>Filter test:</p><p>" + GtubeAnalyzer.GTUBE + "</p>\r\n--b--\r\n");
        assertThat(analyze(html)).containsExactly(Finding.of("GTUBE", "part 2"));
        ParsedMessage comment = message(head + "--b\r\nContent-Type: text/html\r\n\r\n<p>hello</p><!-- "
                + GtubeAnalyzer.GTUBE + " -->\r\n--b--\r\n");
        assertThat(analyze(comment)).isEmpty();
        ParsedMessage attached = message(head + "--b\r\nContent-Type: text/plain\r\n\r\nsee the file\r\n--b\r\n"
                + "Content-Type: text/plain; name=spam-test.txt\r\nContent-Disposition: attachment; filename=spam-test.txt"
                + "\r\n\r\n" + GtubeAnalyzer.GTUBE + "\r\n--b--\r\n");
        assertThat(analyze(attached)).isEmpty();
    }

    @Test
    void theCodeIsCatalogued() {
        FindingCatalogue catalogue = FindingCatalogue.builtIn();
        assertThat(analyzer.name()).isEqualTo("gtube");
        assertThat(analyzer.codes()).containsExactly("GTUBE");
        assertThat(catalogue.entry("GTUBE")).isPresent();
    }
}
