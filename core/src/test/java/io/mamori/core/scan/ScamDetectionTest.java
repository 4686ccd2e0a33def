package io.mamori.core.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Finding;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Scams that lure wording about accounts and parcels does not cover, and links that hide their destination (our own
 * fixtures, {@code messages/scam/}), through every shipped analyzer, the composites and the shipped default policy:
 * advance-fee fraud answering to a free mailbox, a Brazilian overdue-bill lure behind a shortener, a picture-only body
 * whose link is shortened, an IP-address link beside a shortened one, a fake order with a number to call to cancel,
 * a mailbox notice from a "Mail Administrator" on a free mailbox, a service desk's name cut off from its address by
 * a comma with a button to another site. The benign look-alikes (a genuine Brazilian
 * bill, a newsletter with a shortened link and a free ticket, a mailing-list post about such letters, a small shop's
 * invoice from a free mailbox under a "customer support" name, a newsletter whose company name has an unquoted
 * comma) are delivered.
 * DNS answers come from an empty table, so sender authentication adds nothing here.
 */
class ScamDetectionTest {

    private static MessageScanner.ScanResult scan(String fixture) throws IOException {
        return ShippedScanner.scan("scam/" + fixture);
    }

    @Test
    void anInheritanceLetterAnsweringToAFreeMailboxIsHeld() throws IOException {
        MessageScanner.ScanResult r = scan("advance-fee-en.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LURE_ADVANCE_FEE", "next of kin,subject:late client,million us dollars,transfer the funds,send your full name"),
                tuple("REPLY_TO_MISMATCH", "from=okoro-chambers.example reply-to=gmail.com (free mailbox)"),
                tuple("REPLY_TO_FREEMAIL", "from=okoro-chambers.example reply-to=gmail.com"),
                tuple("REPLY_TO_FREEMAIL_LURE", "REPLY_TO_FREEMAIL+LURE_ADVANCE_FEE"));
        assertThat(r.verdict().action()).isEqualTo(Action.HOLD);
    }

    @Test
    void aBrazilianOverdueBillLureBehindAShortenerIsTagged() throws IOException {
        MessageScanner.ScanResult r = scan("boleto-pt.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LINK_SHORTENER", "bit.ly"),
                tuple("LURE_URGENCY", "subject:vence hoje"),
                tuple("LURE_PAYMENT", "subject:boleto em aberto,regularize seu cpf,evite a negativação"),
                tuple("LURE_COMBINED", "urgency,payment"),
                tuple("PHISHING_LURE_AND_SHORTENED_LINK", "LURE_PAYMENT+LINK_SHORTENER"));
        assertThat(r.verdict().action()).isEqualTo(Action.TAG);
    }

    @Test
    void aPictureOnlyBodyWhoseLinkIsShortenedIsTagged() throws IOException {
        MessageScanner.ScanResult r = scan("image-only-shortener.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LINK_SHORTENER", "bit.ly"),
                tuple("HTML_IMAGE_ONLY", "0 characters of text, 1 image(s), 1 link(s)"),
                tuple("IMAGE_ONLY_EVASIVE_LINK", "HTML_IMAGE_ONLY+LINK_SHORTENER"));
        assertThat(r.verdict().action()).isEqualTo(Action.TAG);
    }

    @Test
    void anIpAddressLinkBesideAShortenedLinkIsTagged() throws IOException {
        MessageScanner.ScanResult r = scan("ip-and-shortener.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LINK_IP_LITERAL", "203.0.113.45"),
                tuple("LINK_SHORTENER", "tinyurl.com"),
                tuple("PHISHING_EVASIVE_LINKS", "LINK_IP_LITERAL+LINK_SHORTENER"));
        assertThat(r.verdict().action()).isEqualTo(Action.TAG);
    }

    @Test
    void aFakeOrderWithARenewalAndANumberToCallToCancelIsTagged() throws IOException {
        MessageScanner.ScanResult r = scan("fake-order-callback-en.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LURE_PAYMENT", "auto-renewal"),
                tuple("LURE_CALLBACK", "to cancel this order,call us at"),
                tuple("LURE_COMBINED", "payment,callback"),
                tuple("CALLBACK_PHISHING", "LURE_CALLBACK+LURE_PAYMENT"));
        assertThat(r.verdict().action()).isEqualTo(Action.TAG);
    }

    @Test
    void aMailboxNoticeFromAnAdministratorOnAFreeMailboxIsHeld() throws IOException {
        MessageScanner.ScanResult r = scan("mailbox-admin-freemail-en.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LURE_ACCOUNT_SUSPENSION", "your mailbox is almost full"),
                tuple("LURE_CREDENTIAL", "verify your mailbox"),
                tuple("LURE_COMBINED", "suspension,credential"),
                tuple("SERVICE_NAME_ON_FREEMAIL", "name=Mail Administrator from=outlook.com shows Mail Administrator"),
                tuple("SERVICE_NAME_FREEMAIL_LURE", "SERVICE_NAME_ON_FREEMAIL+LURE_CREDENTIAL"));
        assertThat(r.verdict().action()).isEqualTo(Action.HOLD);
    }

    @Test
    void aSmallShopsInvoiceFromAFreeMailboxUnderACustomerSupportNameIsDelivered() throws IOException {
        MessageScanner.ScanResult r = scan("shop-invoice-freemail-ja.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LURE_PAYMENT", "支払い,subject:請求書"),
                tuple("SERVICE_NAME_ON_FREEMAIL", "name=ひまわり雑貨店 カスタマーサポート from=gmail.com shows カスタマーサポート"));
        assertThat(r.verdict().action()).isEqualTo(Action.DELIVER);
    }

    @Test
    void aGenuineBrazilianBillWithPixAndASecondCopyLinkToItsOwnSiteIsDelivered() throws IOException {
        MessageScanner.ScanResult r = scan("bill-pt.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LURE_PAYMENT", "subject:sua fatura,segunda via,chave pix,pagamento via pix"));
        assertThat(r.verdict().action()).isEqualTo(Action.DELIVER);
    }

    @Test
    void aNewsletterWithManyLinksAShortenedOneAndAFreeTicketStaysBelowTag() throws IOException {
        MessageScanner.ScanResult r = scan("newsletter-shortener-en.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LINK_SHORTENER", "bit.ly"),
                tuple("LINK_ACTION_ELSEWHERE", "sender=nimbus-cloud.example href=mailer-service.example"),
                tuple("LURE_PRIZE", "claim your free"),
                tuple("PHISHING_LURE_AND_SHORTENED_LINK", "LURE_PRIZE+LINK_SHORTENER"));
        assertThat(r.verdict().score()).isLessThan(4.0);
        assertThat(r.verdict().action()).isEqualTo(Action.DELIVER);
    }

    @Test
    void aMailingListPostAboutInheritanceLettersIsDelivered() throws IOException {
        MessageScanner.ScanResult r = scan("list-scam-discussion-en.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LURE_ADVANCE_FEE", "late client"),
                tuple("REPLY_TO_MISMATCH", "from=university.example reply-to=example.org"));
        assertThat(r.verdict().action()).isEqualTo(Action.DELIVER);
    }

    @Test
    void aNameCutOffFromItsAddressWithAButtonElsewhereIsTagged() throws IOException {
        MessageScanner.ScanResult r = scan("detached-name-de.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LINK_ACTION_ELSEWHERE", "sender=kundenclub-mitte.example href=umfrage-portal.example"),
                tuple("FROM_NAME_DETACHED", "name=Kundenservice address=service@kundenclub-mitte.example"),
                tuple("SENDER_DISGUISE_AND_ACTION_LINK", "FROM_NAME_DETACHED+LINK_ACTION_ELSEWHERE"));
        assertThat(r.verdict().action()).isEqualTo(Action.TAG);
    }

    @Test
    void aNewsletterWhoseCompanyNameHasAnUnquotedCommaIsDelivered() throws IOException {
        MessageScanner.ScanResult r = scan("comma-in-company-name-en.eml");
        assertThat(r.findings()).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LINK_ACTION_ELSEWHERE", "sender=widgets-inc.example href=mailer-service.example"));
        assertThat(r.verdict().action()).isEqualTo(Action.DELIVER);
    }
}
