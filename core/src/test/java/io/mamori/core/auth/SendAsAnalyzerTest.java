package io.mamori.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.policy.Policy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SendAsAnalyzerTest {

    private static final Policy.SendAs RIGHTS = new Policy.SendAs(Map.of(
            "Hanako@Example.co.jp", Set.of("sales@example.co.jp", "info@例え.jp")));
    private final SendAsAnalyzer analyzer = new SendAsAnalyzer(() -> RIGHTS);

    private List<Finding> analyze(Direction direction, String login, String mailFrom, String headers) throws IOException {
        ParsedMessage message = new MessageParser().parse(new ByteArrayInputStream((headers
                + "To: partner@example.org\r\nSubject: 見積書\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8)));
        Envelope envelope = new Envelope(direction, mailFrom, List.of("partner@example.org"), "192.0.2.10", "pc",
                login, true, Instant.EPOCH);
        return analyzer.analyze(new AnalysisInput(envelope, message));
    }

    @Test
    void theLoginsOwnAddressAndTheAddressesGivenToItPassInAnyCase() throws IOException {
        assertThat(analyze(Direction.OUTBOUND, "taro@example.co.jp", "Taro@EXAMPLE.co.jp",
                "From: 山田太郎 <taro@example.co.jp>\r\n")).isEmpty();
        assertThat(analyze(Direction.OUTBOUND, "hanako@example.co.jp", "sales@example.co.jp",
                "From: Sales <SALES@example.co.jp>\r\nSender: hanako@example.co.jp\r\n")).isEmpty();
        // a Unicode domain is compared in its ASCII form, whichever form each side wrote
        assertThat(analyze(Direction.OUTBOUND, "hanako@example.co.jp", "info@xn--r8jz45g.jp",
                "From: info@例え.jp\r\n")).isEmpty();
        // the null sender names no address; its header fields still must be the login's
        assertThat(analyze(Direction.OUTBOUND, "taro@example.co.jp", "", "From: taro@example.co.jp\r\n")).isEmpty();
    }

    @Test
    void anotherPersonsAddressInTheEnvelopeOrTheHeaderIsNamed() throws IOException {
        assertThat(analyze(Direction.OUTBOUND, "taro@example.co.jp", "ceo@example.co.jp",
                "From: 社長 <ceo@example.co.jp>\r\n")).containsExactly(Finding.of("SEND_AS_NOT_PERMITTED",
                "login taro@example.co.jp may not send as: envelope sender ceo@example.co.jp; From ceo@example.co.jp"));
        // the envelope is the login's, the From a colleague's: the reader sees the From
        assertThat(analyze(Direction.OUTBOUND, "taro@example.co.jp", "taro@example.co.jp",
                "From: taro@example.co.jp, ceo@example.co.jp\r\n")).containsExactly(Finding.of("SEND_AS_NOT_PERMITTED",
                "login taro@example.co.jp may not send as: From ceo@example.co.jp"));
        assertThat(analyze(Direction.OUTBOUND, "taro@example.co.jp", "",
                "From: taro@example.co.jp\r\nSender: ceo@example.co.jp\r\n")).containsExactly(Finding.of(
                "SEND_AS_NOT_PERMITTED", "login taro@example.co.jp may not send as: Sender ceo@example.co.jp"));
        // what hanako may send as is hers, not taro's
        assertThat(analyze(Direction.OUTBOUND, "taro@example.co.jp", "sales@example.co.jp",
                "From: sales@example.co.jp\r\n")).extracting(Finding::code).containsExactly("SEND_AS_NOT_PERMITTED");
        // a look-alike of the login is another address
        assertThat(analyze(Direction.OUTBOUND, "taro@example.co.jp", "taro@example.co.jp.evil.example",
                "From: taro@example.co.jp\r\n")).extracting(Finding::code).containsExactly("SEND_AS_NOT_PERMITTED");
    }

    @Test
    void aFromWithMoreAddressesThanAreReadIsNotTakenAsTheLogins() throws IOException {
        StringBuilder from = new StringBuilder("From: ");
        for (int i = 0; i < 60; i++) {
            from.append(i == 0 ? "" : ", ").append("taro@example.co.jp");
        }
        assertThat(analyze(Direction.OUTBOUND, "taro@example.co.jp", "taro@example.co.jp", from + "\r\n"))
                .containsExactly(Finding.of("SEND_AS_NOT_PERMITTED",
                        "login taro@example.co.jp may not send as: From with 50 or more addresses"));
    }

    @Test
    void mailWithoutALoginIsNotJudged() throws IOException {
        // inbound mail, and mail the trusted networks relay without SMTP AUTH
        assertThat(analyze(Direction.INBOUND, null, "ceo@example.co.jp", "From: ceo@example.co.jp\r\n")).isEmpty();
        assertThat(analyze(Direction.OUTBOUND, null, "ceo@example.co.jp", "From: ceo@example.co.jp\r\n")).isEmpty();
    }
}
