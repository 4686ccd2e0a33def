package io.mamori.core.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Finding;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Current lure themes (our own fixtures, {@code messages/lure/}) through every shipped analyzer, the composites and
 * the shipped default policy: several lure categories with a button to another organisation's site reach TAG, a
 * callback lure with a number to call reaches TAG without any link, and the benign look-alikes (a partner's invoice
 * with a link to its own portal and a telephone number, a bounce, a newsletter, a list discussion about passwords, an
 * in-house maintenance notice) are delivered. DNS answers come from an empty table, so sender authentication adds
 * nothing here.
 */
class LureCampaignDetectionTest {

    private static MessageScanner.ScanResult scan(String fixture) throws IOException {
        return ShippedScanner.scan("lure/" + fixture);
    }

    @Test
    void aJapaneseRedeliveryLureWithADeadlineAndAButtonToAnotherSiteIsTagged() throws IOException {
        MessageScanner.ScanResult r = scan("redelivery-link-ja.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LINK_ACTION_ELSEWHERE", "sender=delivery-notice.example href=redelivery-check.example"),
                tuple("LURE_URGENCY", "本日中"),
                tuple("LURE_DELIVERY", "再配達,荷物のお届け,保管期限,お届けにあがりましたが,持ち帰りました"),
                tuple("LURE_COMBINED", "urgency,delivery"),
                tuple("PHISHING_LURES_AND_ACTION_LINK", "LURE_COMBINED+LINK_ACTION_ELSEWHERE"));
        assertThat(r.verdict().action()).isEqualTo(Action.TAG);
    }

    @Test
    void anESignatureLureWithADeadlineAndAReviewButtonElsewhereIsTagged() throws IOException {
        MessageScanner.ScanResult r = scan("e-signature-en.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LINK_ACTION_ELSEWHERE", "sender=esign-mail.example href=sign-docs.example"),
                tuple("LURE_URGENCY", "within 48 hours"),
                tuple("LURE_DOCUMENT_SHARE", "sent you a document,review document,subject:review and sign,awaiting your signature"),
                tuple("LURE_COMBINED", "urgency,document"),
                tuple("PHISHING_LURES_AND_ACTION_LINK", "LURE_COMBINED+LINK_ACTION_ELSEWHERE"));
        assertThat(r.verdict().action()).isEqualTo(Action.TAG);
    }

    @Test
    void aRenewalChargeWithANumberToCallAndNoLinkIsHeld() throws IOException {
        MessageScanner.ScanResult r = scan("callback-en.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LURE_URGENCY", "within 24 hours"),
                tuple("LURE_PAYMENT", "has been renewed"),
                tuple("LURE_CALLBACK", "call our billing,did not authorize this"),
                tuple("LURE_COMBINED", "urgency,payment,callback"),
                tuple("CALLBACK_PHISHING", "LURE_CALLBACK+LURE_PAYMENT"));
        assertThat(r.verdict().action()).isEqualTo(Action.HOLD);
    }

    @Test
    void aPartnersInvoiceWithALinkToItsOwnPortalAndATelephoneNumberIsDelivered() throws IOException {
        MessageScanner.ScanResult r = scan("invoice-link-partner-ja.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LURE_URGENCY", "subject:至急"),
                tuple("LURE_PAYMENT", "支払い,subject:請求書"));
        assertThat(r.verdict().action()).isEqualTo(Action.DELIVER);
    }

    @Test
    void aBounceANewsletterAListDiscussionAndAMaintenanceNoticeAreDelivered() throws IOException {
        for (String fixture : List.of("bounce-en.eml", "newsletter-en.eml", "list-password-en.eml", "maintenance-ja.eml")) {
            MessageScanner.ScanResult r = scan(fixture);
            assertThat(r.verdict().action()).as(fixture).isEqualTo(Action.DELIVER);
            assertThat(r.findings()).as(fixture).extracting(Finding::code).doesNotContain("LURE_COMBINED");
        }
    }
}
