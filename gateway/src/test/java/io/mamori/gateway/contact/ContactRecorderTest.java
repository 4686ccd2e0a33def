package io.mamori.gateway.contact;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.contact.InMemorySenderHistory;
import io.mamori.core.contact.SenderHistory.Contact;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.HeaderField;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyLoader;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContactRecorderTest {

    private static final Instant AT = Instant.parse("2026-04-06T00:00:00Z");
    private final Policy policy = new PolicyLoader(FindingCatalogue.builtIn()).defaults();   // internal: example.co.jp, example.jp
    private final InMemorySenderHistory history = new InMemorySenderHistory();
    private final ContactRecorder recorder = new ContactRecorder(history, () -> policy);

    private static ParsedMessage from(String... values) {
        return new ParsedMessage(java.util.Arrays.stream(values).map(v -> new HeaderField("From", v)).toList(), List.of(),
                List.of(), 0, 100);
    }

    private static Envelope envelope(Direction direction, String... recipients) {
        return new Envelope(direction, "x@y.example", List.of(recipients), "192.0.2.1", "h", null, false, AT);
    }

    @Test
    void inboundMailRecordsTheRegistrableDomainOfItsOneFromAddress() {
        recorder.accepted(envelope(Direction.INBOUND, "sato@example.co.jp"), from("経理 <Keiri@Mail.Partner.CO.JP>"), AT);
        assertThat(history.lastContact("partner.co.jp")).contains(new Contact("partner.co.jp", AT, AT, 1));
        assertThat(history.lastContact("mail.partner.co.jp")).isEmpty();
    }

    @Test
    void internalAmbiguousAndUnparsedSendersAreNotRecorded() {
        recorder.accepted(envelope(Direction.INBOUND, "sato@example.co.jp"), from("boss@example.co.jp"), AT);
        recorder.accepted(envelope(Direction.INBOUND, "sato@example.co.jp"), from("a@one.example", "b@two.example"), AT);
        recorder.accepted(envelope(Direction.INBOUND, "sato@example.co.jp"), null, AT);
        assertThat(history.recordingSince()).isEmpty();
    }

    @Test
    void outboundMailRecordsTheRecipientsDomainsButNotOurOwn() {
        recorder.accepted(envelope(Direction.OUTBOUND, "a@customer.example", "b@www.customer.example", "c@example.jp",
                "<d@new.co.jp>"), from("sato@example.co.jp"), AT);
        assertThat(history.lastContact("customer.example")).map(Contact::count).contains(1L);
        assertThat(history.lastContact("new.co.jp")).isPresent();
        assertThat(history.lastContact("example.jp")).isEmpty();
    }
}
