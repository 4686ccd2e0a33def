package io.mamori.core.impersonation;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.HeaderField;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.text.ConfusableSkeleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ImpersonationAnalyzerTest {

    private static final ImpersonationSettings SETTINGS = new ImpersonationSettings(
            Set.of("mamori-shoji.co.jp"),
            Set.of("paypal.com", "Example.co.jp"),
            List.of(new ProtectedPerson("山田 太郎", Set.of("Yamada@mamori-shoji.co.jp")),
                    new ProtectedPerson("Taro Suzuki", Set.of("suzuki@mamori-shoji.co.jp"))));

    private final AtomicReference<ImpersonationSettings> policy = new AtomicReference<>(SETTINGS);
    private final ImpersonationAnalyzer analyzer = new ImpersonationAnalyzer(policy::get);

    private static Envelope envelope(String mailFrom) {
        return new Envelope(Direction.INBOUND, mailFrom, List.of("keiri@mamori-shoji.co.jp"), "192.0.2.1",
                "mail.example.net", null, false, Instant.parse("2024-04-01T00:00:00Z"));
    }

    private List<Finding> analyze(String fixture, String mailFrom) {
        return analyzer.analyze(new AnalysisInput(envelope(mailFrom), Fixtures.parse("impersonation/" + fixture)));
    }

    private List<Finding> analyzeHeaders(String mailFrom, String... nameValuePairs) {
        List<HeaderField> headers = new ArrayList<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            headers.add(new HeaderField(nameValuePairs[i], nameValuePairs[i + 1]));
        }
        ParsedMessage message = new ParsedMessage(headers, List.of(), List.of(), 0, 100);
        return analyzer.analyze(new AnalysisInput(envelope(mailFrom), message));
    }

    private List<Finding> lookalikes(String fromAddress) {
        return analyzeHeaders("", "From", fromAddress);
    }

    @Test
    void aDigitForALetterIsALookalikeAtEditDistanceOne() {
        assertThat(analyze("lookalike-edit-distance.eml", "service@paypa1.com")).containsExactly(
                Finding.of("LOOKALIKE_DOMAIN", "from=paypa1.com looks like paypal.com (edit distance 1)"),
                Finding.of("BRAND_IMPERSONATION", "name=PayPal from=paypa1.com brand=PayPal"));
    }

    @Test
    void aPunycodeDomainWithCyrillicLettersIsALookalikeByItsConfusableSkeleton() {
        assertThat(analyze("lookalike-confusable.eml", "service@xn--pypl-53dc.com")).containsExactly(
                Finding.of("LOOKALIKE_DOMAIN",
                        "from=xn--pypl-53dc.com (p\u0430yp\u0430l.com) looks like paypal.com (confusable characters)"),
                Finding.of("BRAND_IMPERSONATION", "name=PayPal from=xn--pypl-53dc.com brand=PayPal"));
    }

    @Test
    void aProtectedDomainWrittenWholeInsideAnotherOrganisationsSenderDomainIsALookalike() {
        assertThat(lookalikes("keiri@mamori-shoji.co.jp.evil.test")).contains(Finding.of("LOOKALIKE_DOMAIN",
                "from=mamori-shoji.co.jp.evil.test looks like mamori-shoji.co.jp (mamori-shoji.co.jp inside the domain)"));
        assertThat(lookalikes("keiri@mamori-shoji.co.jp-login.test")).contains(Finding.of("LOOKALIKE_DOMAIN",
                "from=mamori-shoji.co.jp-login.test looks like mamori-shoji.co.jp (mamori-shoji.co.jp inside the domain)"));
        assertThat(lookalikes("info@example.co.jp.mail-gw.test")).contains(Finding.of("LOOKALIKE_DOMAIN",
                "from=example.co.jp.mail-gw.test looks like example.co.jp (example.co.jp inside the domain)"));
        // the organisation's own sub-domains are its own; a name merely starting alike is another
        assertThat(lookalikes("keiri@mail.mamori-shoji.co.jp")).isEmpty();
        assertThat(lookalikes("keiri@example.co.jp.mamori-shoji.co.jp")).isEmpty();
        // example.co.jpx.test is not example.co.jp with something after it; example-co-jp is a name, not the domain
        assertThat(lookalikes("a@example.co.jpx.test")).isEmpty();
        assertThat(lookalikes("a@example-co-jp.mail.protection.outlook.com")).isEmpty();
    }

    @Test
    void aProtectedDomainWithAShortNameCountsWhenWrittenWholeInsideASenderDomain() {
        policy.set(new ImpersonationSettings(Set.of("abc.co.jp"), Set.of(), List.of()));
        assertThat(lookalikes("keiri@abc.co.jp.secure-mail.test")).contains(Finding.of("LOOKALIKE_DOMAIN",
                "from=abc.co.jp.secure-mail.test looks like abc.co.jp (abc.co.jp inside the domain)"));
    }

    @Test
    void aReplyToOrEnvelopeSenderImitatingAProtectedDomainIsALookalikeBehindAnUnrelatedFrom() {
        assertThat(analyzeHeaders("", "From", "info@shop.test", "Reply-To", "keiri@mamori-shoji.co.jp.evil.test"))
                .contains(Finding.of("LOOKALIKE_DOMAIN", "reply-to=mamori-shoji.co.jp.evil.test looks like "
                        + "mamori-shoji.co.jp (mamori-shoji.co.jp inside the domain)"));
        assertThat(analyzeHeaders("bounce@mamori-sh0ji.co.jp", "From", "info@shop.test"))
                .contains(Finding.of("LOOKALIKE_DOMAIN",
                        "mail-from=mamori-sh0ji.co.jp looks like mamori-shoji.co.jp (edit distance 1)"));
    }

    @Test
    void aSenderDomainMixingScriptsOrWrittenInLatinLookalikesIsAHomographWhateverItImitates() {
        assertThat(lookalikes("Documents <share@xn--scure-docs-ksi.com>")).containsExactly(new Finding(
                "SENDER_DOMAIN_HOMOGRAPH", 2.0, "from=xn--scure-docs-ksi.com (s\u0435cure-docs.com)"));
        // the Unicode form, as an SMTPUTF8 message writes it, is the same name
        assertThat(lookalikes("Documents <share@s\u0435cure-docs.com>")).containsExactly(new Finding(
                "SENDER_DOMAIN_HOMOGRAPH", 2.0, "from=xn--scure-docs-ksi.com (s\u0435cure-docs.com)"));
        assertThat(lookalikes("Coco <shop@xn--n1aahb.com>")).containsExactly(new Finding(
                "SENDER_DOMAIN_HOMOGRAPH", 1.0, "from=xn--n1aahb.com (\u0441\u043e\u0441\u043e.com)"));
    }

    @Test
    void japaneseAndCyrillicDomainNamesThatReadAsWhatTheyAreAreNoHomographs() {
        assertThat(lookalikes("info@xn--eckwd4c7c5976acvb2w6i.jp")).isEmpty(); // 日本語ドメイン.jp
        assertThat(lookalikes("info@xn--80adxhks.xn--p1ai")).isEmpty();         // москва.рф
        assertThat(lookalikes("info@xn--n1aahb.xn--p1ai")).isEmpty();           // сосо.рф: Cyrillic under a Cyrillic TLD
        assertThat(lookalikes("info@secure-docs.com")).isEmpty();
    }

    @Test
    void aPartnerNameWithExtraWordsIsALookalike() {
        assertThat(analyze("lookalike-embedded.eml", "keiri@example-co-jp.com")).containsExactly(
                Finding.of("LOOKALIKE_DOMAIN", "from=example-co-jp.com looks like example.co.jp (contains example)"));
        assertThat(lookalikes("info@examplesecure.jp")).containsExactly(
                Finding.of("LOOKALIKE_DOMAIN", "from=examplesecure.jp looks like example.co.jp (contains example)"));
    }

    @Test
    void longNamesTolerateTwoEditsAndSwappedLettersCountAsOne() {
        assertThat(lookalikes("a@rnamori-shoji.co.jp")).containsExactly(Finding.of("LOOKALIKE_DOMAIN",
                "from=rnamori-shoji.co.jp looks like mamori-shoji.co.jp (edit distance 2)"));
        assertThat(lookalikes("a@mamoir-shoji.com")).containsExactly(Finding.of("LOOKALIKE_DOMAIN",
                "from=mamoir-shoji.com looks like mamori-shoji.co.jp (edit distance 1)"));
        assertThat(lookalikes("a@pyapl.com")).isEmpty();
    }

    @Test
    void theSameNameUnderAnotherSuffixCountsForHalf() {
        assertThat(lookalikes("info@example.com")).containsExactly(new Finding("LOOKALIKE_DOMAIN", 0.3,
                "from=example.com looks like example.co.jp (same name, other suffix)"));
    }

    @Test
    void shortLabelsAreNeverComparedBecauseTheyCollideByChance() {
        policy.set(new ImpersonationSettings(Set.of("abcd.jp"), Set.of(), List.of()));
        assertThat(lookalikes("x@abce.jp")).isEmpty();
        assertThat(lookalikes("x@abcd-secure.jp")).isEmpty();
    }

    @Test
    void theRealDomainAndAPartnersOwnSubdomainAreNotLookalikes() {
        assertThat(analyze("real-domain.eml", "yamada@mamori-shoji.co.jp")).isEmpty();
        assertThat(analyze("partner-subdomain.eml", "bounce@example.co.jp")).isEmpty();
        assertThat(lookalikes("service@mail.PayPal.com.")).isEmpty();
        assertThat(lookalikes("someone@unrelated-company.jp")).isEmpty();
    }

    @Test
    void aProtectedNameOnAnotherAddressIsImpersonation() {
        assertThat(analyze("display-name.eml", "yamada.taro@gmail.com")).containsExactly(
                Finding.of("DISPLAY_NAME_IMPERSONATION", "name=山田 太郎 address=yamada.taro@gmail.com"));
    }

    @Test
    void theNameMatchesWithoutSpacesInFullWidthInEitherOrderAndWithATitle() {
        assertThat(analyzeHeaders("", "From", "\"ＳＵＺＵＫＩ　ＴＡＲＯ\" <ceo.office@gmail.com>")).containsExactly(
                Finding.of("DISPLAY_NAME_IMPERSONATION", "name=ＳＵＺＵＫＩ　ＴＡＲＯ address=ceo.office@gmail.com"));
        assertThat(analyzeHeaders("", "From", "代表取締役 山田太郎 <ceo@outlook.jp>")).containsExactly(
                Finding.of("DISPLAY_NAME_IMPERSONATION", "name=代表取締役 山田太郎 address=ceo@outlook.jp"));
        assertThat(analyzeHeaders("", "From", "ceo@outlook.jp (Suzuki, Taro)")).containsExactly(
                Finding.of("DISPLAY_NAME_IMPERSONATION", "name=Suzuki, Taro address=ceo@outlook.jp"));
        // an unquoted comma in the name, and a name on a bare local part with no domain at all
        assertThat(analyzeHeaders("", "From", "Suzuki, Taro <ceo.office@gmail.com>")).containsExactly(
                Finding.of("DISPLAY_NAME_IMPERSONATION", "name=Suzuki, Taro address=ceo.office@gmail.com"));
        assertThat(analyzeHeaders("", "From", "山田太郎 <yamada>")).containsExactly(
                Finding.of("DISPLAY_NAME_IMPERSONATION", "name=山田太郎 address=yamada"));
    }

    @Test
    void aProtectedNameHiddenWithInvisibleCharactersOrWrittenInLookAlikeLettersIsStillTheName() {
        for (String hidden : List.of("山\u200B田太郎", "山田\u00AD太郎", "山田\u2060太郎", "山田\u3164太郎",
                "山田\uDB40\uDC20太郎", "山\uFE00田太郎", "T\u0430ro Suzuki", "Taro Suzuk\u0456")) {
            assertThat(analyzeHeaders("", "From", "\"" + hidden + "\" <ceo@gmail.com>")).as(hidden).containsExactly(
                    Finding.of("DISPLAY_NAME_IMPERSONATION", "name=" + hidden + " address=ceo@gmail.com"));
        }
        // another person's name in the same letters is still no one protected
        assertThat(analyzeHeaders("", "From", "\"T\u0430ro Suzukawa\" <t.suzukawa@gmail.com>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "\"山田\u200B太一\" <yamada.taichi@gmail.com>")).isEmpty();
    }

    @Test
    void aTwoCharacterNameIsMatchedWholeEvenWhenItsSkeletonIsLonger() {
        // 今 has the skeleton of three Hangul letters and m that of rn: still names of two letters, never looked for
        // inside a longer name
        policy.set(new ImpersonationSettings(Set.of("mamori-shoji.co.jp"), Set.of(),
                List.of(new ProtectedPerson("今 昭", Set.of("kon@mamori-shoji.co.jp")),
                        new ProtectedPerson("Mo", Set.of("mo@mamori-shoji.co.jp")))));
        assertThat(analyzeHeaders("", "From", "\"今昭子\" <akiko@gmail.com>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "\"Mr Morning\" <morning@gmail.com>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "\"今\u200B昭\" <ceo@gmail.com>")).extracting(Finding::code)
                .containsExactly("DISPLAY_NAME_IMPERSONATION");
    }

    @Test
    void aRealAddressQuotedInsideTheDisplayNameDoesNotHideTheActualAddress() {
        assertThat(analyzeHeaders("", "From", "\"山田 太郎 <yamada@mamori-shoji.co.jp>\" <x@gmail.com>")).containsExactly(
                Finding.of("DISPLAY_NAME_IMPERSONATION", "name=山田 太郎 <yamada@mamori-shoji.co.jp> address=x@gmail.com"),
                Finding.of("DISPLAY_NAME_ADDRESS_MISMATCH", "name shows mamori-shoji.co.jp, from=gmail.com"));
    }

    @Test
    void theProtectedPersonsOwnAddressAndAColleagueWithASimilarNameAreNoImpersonation() {
        assertThat(analyzeHeaders("", "From", "山田 太郎 <YAMADA@mamori-shoji.co.jp>")).isEmpty();
        assertThat(analyze("colleague-similar-name.eml", "yamada.taichi@gmail.com")).isEmpty();
        assertThat(analyzeHeaders("", "From", "Taro Suzukawa <t.suzukawa@gmail.com>")).isEmpty();
    }

    @Test
    void aReplyToOnAnotherOrganisationAndADifferentEnvelopeSenderAreReported() {
        assertThat(analyze("reply-to-other-organisation.eml", "bounce-123@esp.example")).containsExactly(
                Finding.of("REPLY_TO_MISMATCH", "from=vendor-a.com reply-to=mail-b.net"),
                Finding.of("RETURN_PATH_MISMATCH", "from=vendor-a.com mail-from=esp.example"));
    }

    @Test
    void aNewsletterWhoseReplyToAndEnvelopeAreTheSameOrganisationRaisesNothing() {
        assertThat(analyze("newsletter-same-organisation.eml", "bounce+x=y@mail.sample-shop.jp")).isEmpty();
    }

    @Test
    void theNullEnvelopeSenderIsNotAMismatch() {
        assertThat(analyzeHeaders("", "From", "a@vendor-a.com")).isEmpty();
        assertThat(analyzeHeaders("b@other.org", "From", "a@vendor-a.com")).containsExactly(
                Finding.of("RETURN_PATH_MISMATCH", "from=vendor-a.com mail-from=other.org"));
    }

    @Test
    void aPolicyReloadAppliesToTheNextMessage() {
        assertThat(lookalikes("a@contoso-bank.com")).isEmpty();
        policy.set(new ImpersonationSettings(Set.of(), Set.of("contoso.co.jp"), List.of()));
        assertThat(lookalikes("a@contoso-bank.com")).containsExactly(Finding.of("LOOKALIKE_DOMAIN",
                "from=contoso-bank.com looks like contoso.co.jp (contains contoso)"));
    }

    @Test
    void aMessageWithoutAUsableFromRaisesNothing() {
        assertThat(analyzeHeaders("x@other.org", "Subject", "hello")).isEmpty();
        assertThat(analyzeHeaders("x@other.org", "From", "undisclosed-recipients:;")).isEmpty();
        assertThat(analyzeHeaders("x@other.org", "From", "山田 太郎 <>")).isEmpty();
    }

    @Test
    void editDistanceCountsATranspositionAsOneEdit() {
        assertThat(ProtectedDomains.editDistance("paypal", "paypal")).isZero();
        assertThat(ProtectedDomains.editDistance("paypal", "pyapal")).isEqualTo(1);
        assertThat(ProtectedDomains.editDistance("paypal", "paypa")).isEqualTo(1);
        assertThat(ProtectedDomains.editDistance("kitten", "sitting")).isEqualTo(3);
    }

    @Test
    void skeletonsFollowTheUnicodeConfusablesData() {
        ConfusableSkeleton skeletons = ConfusableSkeleton.builtIn();
        // the Latin-1 table holds exactly the data's prototypes
        for (int c = 0; c <= 0x10FFFF; c++) {
            assertThat(skeletons.prototypeOf(c)).isEqualTo(skeletons.prototypeInData(c));
        }
        assertThat(skeletons.prototypeOf('0')).isEqualTo("O");
        assertThat(skeletons.skeleton("rnicrosoft")).isEqualTo(skeletons.skeleton("microsoft"));
        assertThat(skeletons.skeleton("g00gle")).isEqualTo(skeletons.skeleton("google"));
        assertThat(skeletons.skeleton("p\u0430ypal")).isEqualTo(skeletons.skeleton("paypal"));
        assertThat(skeletons.skeleton("paypal")).isNotEqualTo(skeletons.skeleton("paypol"));
    }

    @Test
    void aBrandNameOnAFreeMailboxWeighsMoreThanOnSomeOtherDomain() {
        assertThat(analyzeHeaders("", "From", "\"Microsoft 365 Team\" <it.helpdesk2024@gmail.com>")).containsExactly(
                new Finding("BRAND_IMPERSONATION", 1.5,
                        "name=Microsoft 365 Team from=gmail.com brand=Microsoft (free mailbox)"));
        assertThat(analyzeHeaders("", "From", "Netflix <billing@netflix-account.example>")).containsExactly(
                Finding.of("BRAND_IMPERSONATION", "name=Netflix from=netflix-account.example brand=Netflix"));
        // a user of the brand's own free mailbox service calling himself the brand counts once
        assertThat(analyzeHeaders("", "From", "Microsoft account team <ms.account.team@outlook.com>")).containsExactly(
                Finding.of("BRAND_IMPERSONATION", "name=Microsoft account team from=outlook.com brand=Microsoft (free mailbox)"));
        // free mailboxes abroad and consumer ISPs' mailboxes count as well (a PayPal notice never comes from them)
        assertThat(analyzeHeaders("", "From", "Paypal <pay2pal@excite.com>")).containsExactly(new Finding(
                "BRAND_IMPERSONATION", 1.5, "name=Paypal from=excite.com brand=PayPal (free mailbox)"));
        assertThat(analyzeHeaders("", "From", "\"Amazon Kundenservice\" <kundenservice.amzn@t-online.de>")).containsExactly(
                new Finding("BRAND_IMPERSONATION", 1.5,
                        "name=Amazon Kundenservice from=t-online.de brand=Amazon (free mailbox)"));
    }

    @Test
    void japaneseOnlineBrokersNamedOnOtherDomainsAreImpersonatedAndOnTheirOwnAreNot() {
        // the 2025 wave of phishing for brokerage logins; our own fixtures, written as those mails name the brokers
        assertThat(analyzeHeaders("", "From", "【SBI証券】 <info@sbisec-login.example>"))
                .containsExactly(Finding.of("BRAND_IMPERSONATION", "name=【SBI証券】 from=sbisec-login.example brand=SBI証券"));
        assertThat(analyzeHeaders("", "From", "野村證券株式会社 <support@nomura-kabu.example>"))
                .containsExactly(Finding.of("BRAND_IMPERSONATION",
                        "name=野村證券株式会社 from=nomura-kabu.example brand=野村證券"));
        assertThat(analyzeHeaders("", "From", "マネックス証券 <info@account-check.example>"))
                .extracting(Finding::evidence).containsExactly("name=マネックス証券 from=account-check.example brand=マネックス証券");
        assertThat(analyzeHeaders("", "From", "auカブコム証券 <info@kabu-com.example>"))
                .extracting(Finding::evidence).containsExactly("name=auカブコム証券 from=kabu-com.example brand=三菱UFJ");
        // the brokers' own mail
        assertThat(analyzeHeaders("", "From", "SBI証券 <info@sbisec.co.jp>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "大和証券 <info@mail.daiwa.co.jp>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "auカブコム証券 <info@kabu.com>")).isEmpty();
        // a place or a person called 大和 or 野村 is no broker
        assertThat(analyzeHeaders("", "From", "野村 太郎 <taro@nomura-kogyo.example>")).isEmpty();
    }

    @Test
    void aBrandNameInDisguiseWeighsMoreAndSaysSo() {
        assertThat(analyzeHeaders("", "From", "N e t f l i x ! <billing@mailer.promo-mail.click>")).containsExactly(
                new Finding("BRAND_IMPERSONATION", 1.5,
                        "name=N e t f l i x ! from=mailer.promo-mail.click brand=Netflix (disguised name)"));
        assertThat(analyzeHeaders("", "From", "\"PayPaI Service\" <service@paypal.com>"))
                .as("the brand's own domain may write its name any way").isEmpty();
    }

    @Test
    void aBrandWhoseNameIsAlsoAWordIsImpersonatedByADisplayNameOfThatNameAlone() {
        assertThat(analyzeHeaders("", "From", "\"LEDGER\" <info@updates-ledger.example>")).containsExactly(
                Finding.of("BRAND_IMPERSONATION", "name=LEDGER from=updates-ledger.example brand=Ledger"));
        assertThat(analyzeHeaders("", "From", "Iedger Support <k14@wallet-sync.example>")).containsExactly(
                new Finding("BRAND_IMPERSONATION", 1.5,
                        "name=Iedger Support from=wallet-sync.example brand=Ledger (disguised name)"));
        assertThat(analyzeHeaders("", "From", "Ledger <hello@ledger.com>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "General Ledger Team <gl@accounts.example>")).isEmpty();
    }

    @Test
    void aBrandNameHiddenBeforeACommaOfTheFromFieldIsTheNameTheReaderSees() {
        assertThat(analyzeHeaders("", "From", "Microsoft account team ,_<no-reply@access-accsecurity.example>"))
                .containsExactly(
                        Finding.of("FROM_NAME_DETACHED",
                                "name=Microsoft account team address=no-reply@access-accsecurity.example"),
                        Finding.of("BRAND_IMPERSONATION",
                                "name=Microsoft account team, _ from=access-accsecurity.example brand=Microsoft"));
    }

    @Test
    void aBrandNameInTheSendersDomainWithoutADisplayNameIsReported() {
        assertThat(analyzeHeaders("", "From", "notice@docusign-secure-mail.example")).containsExactly(
                Finding.of("BRAND_IMPERSONATION", "from=docusign-secure-mail.example brand=DocuSign (brand name in the domain)"));
    }

    @Test
    void aBrandWritingFromItsOwnDomainOrItsProvidersPostmasterIsNotImpersonation() {
        assertThat(analyzeHeaders("", "From", "\"PayPal\" <service@mail.paypal.com>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "Amazon.co.jp <shipment-tracking@amazon.co.jp>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "Microsoft Outlook <postmaster@outlook.com>")).isEmpty();
        // our own organisation and protected partners may name brands ("Amazon 担当") freely
        assertThat(analyzeHeaders("", "From", "Amazon 担当 鈴木 <suzuki@mamori-shoji.co.jp>")).isEmpty();
    }

    @Test
    void aDisplayNameShowingAnotherOrganisationsAddressIsReportedUnlessAListSaysVia() {
        // one fact, one finding: the brand's address in the name is not also a brand name in it
        assertThat(analyzeHeaders("", "From", "\"service@paypal.com\" <m0n1ca@isp-q.example>")).containsExactly(
                Finding.of("DISPLAY_NAME_ADDRESS_MISMATCH", "name shows paypal.com, from=isp-q.example"));
        // an address as the display name names its mailbox provider, not a brand
        assertThat(analyzeHeaders("", "From", "\"taro.test@gmail.com\" <taro.test@gmail.com>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "\"'taro@partner-shop.example' via Users\" <users@googlegroups.com>"))
                .isEmpty();
        assertThat(analyzeHeaders("", "From", "\"taro@partner-shop.example\" <taro@partner-shop.example>")).isEmpty();
    }

    @Test
    void ourOwnDomainOrNameInTheDisplayNameOfOutsideMailIsImpersonation() {
        assertThat(analyzeHeaders("", "From", "\"mamori-shoji.co.jp IT Support\" <helpdesk@mail-quota.example>"))
                .containsExactly(Finding.of("DISPLAY_NAME_ORGANISATION_IMPERSONATION",
                        "name=mamori-shoji.co.jp IT Support from=mail-quota.example shows mamori-shoji.co.jp"));
        assertThat(analyzeHeaders("", "From", "ＭＡＭＯＲＩ-ＳＨＯＪＩ 経理部 <keiri@billing.example>"))
                .containsExactly(Finding.of("DISPLAY_NAME_ORGANISATION_IMPERSONATION",
                        "name=ＭＡＭＯＲＩ-ＳＨＯＪＩ 経理部 from=billing.example shows mamori-shoji"));
        // our own staff, and a name that merely contains ours, are not
        assertThat(analyzeHeaders("", "From", "mamori-shoji 経理部 <keiri@mamori-shoji.co.jp>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "examplesoft sales <sales@examplesoft.example>"))
                .extracting(Finding::code).doesNotContain("DISPLAY_NAME_ORGANISATION_IMPERSONATION");
    }

    @Test
    void repliesDivertedToAFreeMailboxWeighMore() {
        assertThat(analyzeHeaders("", "From", "Accounts <accounts@supplier.example>", "Reply-To", "accounts.supplier@gmail.com"))
                .containsExactly(new Finding("REPLY_TO_MISMATCH", 1.5,
                        "from=supplier.example reply-to=gmail.com (free mailbox)"),
                        Finding.of("REPLY_TO_FREEMAIL", "from=supplier.example reply-to=gmail.com"));
        // a mailing list's or a mail service's own domain is no free mailbox
        assertThat(analyzeHeaders("", "From", "Taro <taro@member.example>", "Reply-To", "list@lists.example.org"))
                .containsExactly(Finding.of("REPLY_TO_MISMATCH", "from=member.example reply-to=example.org"));
        // a free mailbox writing from itself diverts nothing
        assertThat(analyzeHeaders("", "From", "Taro <taro@gmail.com>", "Reply-To", "taro@gmail.com")).isEmpty();
    }

    @Test
    void anAddressOnAHostingServicesDomainIsReportedAndRepliesElsewhereAddToIt() {
        // Firebase gives every project an address to send from; phishing sends from one and collects replies elsewhere
        assertThat(analyzeHeaders("", "From", "Support <noreply@pro15-c102a.firebaseapp.com>"))
                .containsExactly(Finding.of("SENDER_ON_FREE_HOSTING", "from=pro15-c102a.firebaseapp.com (firebaseapp.com)"));
        assertThat(analyzeHeaders("", "From", "<noreply@Shop-App.Web.App>", "Reply-To", "desk@example.org"))
                .containsExactly(Finding.of("SENDER_ON_FREE_HOSTING", "from=shop-app.web.app (web.app)"),
                        Finding.of("REPLY_TO_MISMATCH", "from=shop-app.web.app reply-to=example.org"));
        // the service's own mail and a company's own domain are not
        assertThat(analyzeHeaders("", "From", "Firebase <noreply@firebase.google.com>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "<news@www.web.app>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "<noreply@app.example.co.jp>")).isEmpty();
    }

    @Test
    void aNameCutOffFromItsAddressIsReportedButACommaInsideANameIsNot() {
        assertThat(analyzeHeaders("", "From", "Kundenservice, <service@kundenclub.example>"))
                .containsExactly(Finding.of("FROM_NAME_DETACHED", "name=Kundenservice address=service@kundenclub.example"));
        // a comma inside a person's or a company's name is a sending program's mistake
        assertThat(analyzeHeaders("", "From", "Doe, John <jdoe@doe-family.example>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "Widgets, Inc. <news@widgets.example>")).isEmpty();
    }

    @Test
    void aServiceDesksNameOnAFreeMailboxIsReported() {
        assertThat(analyzeHeaders("", "From", "Customer Support <helpdesk.center2024@gmail.com>"))
                .containsExactly(Finding.of("SERVICE_NAME_ON_FREEMAIL",
                        "name=Customer Support from=gmail.com shows Customer Support"));
        assertThat(analyzeHeaders("", "From", "Mail Administrator <admin.mailbox@outlook.com>"))
                .containsExactly(Finding.of("SERVICE_NAME_ON_FREEMAIL",
                        "name=Mail Administrator from=outlook.com shows Mail Administrator"));
        assertThat(analyzeHeaders("", "From", "Amazon カスタマーセンター <shop-help@yahoo.co.jp>"))
                .as("a brand's name is reported once, by the brand finding").extracting(Finding::code)
                .containsExactly("BRAND_IMPERSONATION");
        assertThat(analyzeHeaders("", "From", "カスタマーサポート <support-desk@yahoo.co.jp>"))
                .containsExactly(Finding.of("SERVICE_NAME_ON_FREEMAIL",
                        "name=カスタマーサポート from=yahoo.co.jp shows カスタマーサポート"));
        // the English name glued to Japanese, as Japanese display names write it
        assertThat(analyzeHeaders("", "From", "IT Support窓口 <it.desk.2024@gmail.com>"))
                .containsExactly(Finding.of("SERVICE_NAME_ON_FREEMAIL",
                        "name=IT Support窓口 from=gmail.com shows IT Support"));
    }

    @Test
    void aServiceDesksNameOnItsCompanysDomainAPersonOnAFreeMailboxAndASmallOrganisationsOfficeAreNot() {
        assertThat(analyzeHeaders("", "From", "Customer Support <support@shop.example>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "Taro Yamada <taro.yamada@gmail.com>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "さくら町内会 事務局 <sakura.chonaikai@gmail.com>")).isEmpty();
        // a provider's own postmaster writes its bounces (RFC 2142)
        assertThat(analyzeHeaders("", "From", "Mail Administrator <Postmaster@ezweb.ne.jp>")).isEmpty();
        // "supporter" and "supportive" are other words
        assertThat(analyzeHeaders("", "From", "Hanako (supporter) <hanako@gmail.com>")).isEmpty();
    }

    @Test
    void everyCodeIsInTheCatalogue() {
        FindingCatalogue catalogue = FindingCatalogue.builtIn();
        assertThat(analyzer.name()).isEqualTo("impersonation");
        assertThat(analyzer.codes()).containsExactly("LOOKALIKE_DOMAIN", "DISPLAY_NAME_IMPERSONATION",
                "REPLY_TO_MISMATCH", "REPLY_TO_FREEMAIL", "RETURN_PATH_MISMATCH", "BRAND_IMPERSONATION", "DISPLAY_NAME_ADDRESS_MISMATCH",
                "DISPLAY_NAME_ORGANISATION_IMPERSONATION", "SERVICE_NAME_ON_FREEMAIL", "SENDER_ON_FREE_HOSTING",
                "FROM_NAME_DETACHED", "SENDER_DOMAIN_HOMOGRAPH");
        for (String code : analyzer.codes()) {
            assertThat(catalogue.entry(code)).as(code).isPresent();
        }
    }

    @Test
    void aProtectedNameWithCombiningMarksOrSpacingCharactersIsStillTheName() {
        // an acute on 山, a dakuten on 田 (combining with nothing) and the blank braille pattern as a space
        assertThat(analyze("display-name-marks.eml", "ceo.office@gmail.com")).containsExactly(Finding.of(
                "DISPLAY_NAME_IMPERSONATION", "name=山\u0301田\u3099 太\u2800郎 address=ceo.office@gmail.com"));
        for (String spaced : List.of("山田_太郎", "山田-太郎", "山田／太郎", "山田|太郎", "Tarō Suzuki", "Taro Su\u0308zuki",
                "Taro\u2800Suzuki")) {
            assertThat(analyzeHeaders("", "From", "\"" + spaced + "\" <ceo@gmail.com>")).as(spaced).containsExactly(
                    Finding.of("DISPLAY_NAME_IMPERSONATION", "name=" + spaced + " address=ceo@gmail.com"));
        }
        // a voiced kana is another kana: ヤマダ is not ヤマタ
        assertThat(ImpersonationAnalyzer.compactName("ヤマタ\u3099")).isEqualTo(ImpersonationAnalyzer.compactName("ヤマダ"))
                .isNotEqualTo(ImpersonationAnalyzer.compactName("ヤマタ"));
    }

    @Test
    void aPartOfAProtectedNameWithAnExecutivesTitleFromOutsideIsImpersonation() {
        assertThat(analyze("display-name-title.eml", "president.office@gmail.com")).containsExactly(Finding.of(
                "DISPLAY_NAME_IMPERSONATION", "name=山田社長 address=president.office@gmail.com (山田 太郎 with a title)"));
        for (String titled : List.of("社長 山田", "社長の山田", "代表取締役　山田", "山田 CEO", "President Suzuki", "Suzuki CEO",
                "ＣＥＯ　ＳＵＺＵＫＩ")) {
            assertThat(analyzeHeaders("", "From", "\"" + titled + "\" <ceo@gmail.com>")).as(titled)
                    .extracting(Finding::code).containsExactly("DISPLAY_NAME_IMPERSONATION");
        }
        // the whole name with a title was always the name
        assertThat(analyzeHeaders("", "From", "\"山田 太郎 CEO\" <ceo@gmail.com>")).containsExactly(
                Finding.of("DISPLAY_NAME_IMPERSONATION", "name=山田 太郎 CEO address=ceo@gmail.com"));
    }

    @Test
    void aTitledNameFromTheExecutivesOwnAddressOrAColleagueInsideOrAnotherFamilyNameIsNoImpersonation() {
        assertThat(analyze("title-real-address.eml", "yamada@mamori-shoji.co.jp")).isEmpty();
        assertThat(analyze("title-colleague.eml", "yamada.hanako@mamori-shoji.co.jp")).isEmpty();
        // another family name, a title alone, the family name alone, or the name inside other words
        for (String other : List.of("田中社長", "社長", "山田", "山田商店 社長", "Director of Sales", "Suzuki Motors")) {
            assertThat(analyzeHeaders("", "From", "\"" + other + "\" <info@gmail.com>")).as(other)
                    .extracting(Finding::code).doesNotContain("DISPLAY_NAME_IMPERSONATION");
        }
    }

    @Test
    void anAliasOfAProtectedPersonSuchAsTheKanaReadingIsMatchedAsTheNameIs() {
        policy.set(new ImpersonationSettings(Set.of("mamori-shoji.co.jp"), Set.of(), List.of(new ProtectedPerson(
                "山田 太郎", Set.of("yamada@mamori-shoji.co.jp"), List.of("ヤマダ タロウ", "Taro Yamada")))));
        // the kana reading, its dakuten written as a combining mark
        assertThat(analyze("display-name-kana-alias.eml", "ceo.yamada@outlook.jp")).containsExactly(Finding.of(
                "DISPLAY_NAME_IMPERSONATION", "name=ヤマタ\u3099 タロウ address=ceo.yamada@outlook.jp (alias of 山田 太郎)"));
        assertThat(analyzeHeaders("", "From", "\"ﾔﾏﾀﾞ社長\" <ceo@gmail.com>")).containsExactly(Finding.of(
                "DISPLAY_NAME_IMPERSONATION", "name=ﾔﾏﾀﾞ社長 address=ceo@gmail.com (山田 太郎 with a title)"));
        // the spacing dakuten written after the kana, as old input methods do
        assertThat(analyzeHeaders("", "From", "\"ヤマタ\u309B タロウ\" <ceo@gmail.com>")).containsExactly(Finding.of(
                "DISPLAY_NAME_IMPERSONATION", "name=ヤマタ\u309B タロウ address=ceo@gmail.com (alias of 山田 太郎)"));
        assertThat(analyzeHeaders("", "From", "\"Yamada Taro\" <ceo@gmail.com>")).containsExactly(Finding.of(
                "DISPLAY_NAME_IMPERSONATION", "name=Yamada Taro address=ceo@gmail.com (alias of 山田 太郎)"));
        // the person's own address, and another name read alike in part
        assertThat(analyzeHeaders("", "From", "ヤマダ タロウ <yamada@mamori-shoji.co.jp>")).isEmpty();
        assertThat(analyzeHeaders("", "From", "\"ヤマタ タロウ\" <yamata@gmail.com>")).isEmpty();
    }
}
