package io.mamori.core.brand;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BrandsTest {

    private final Brands brands = Brands.builtIn();

    private String named(String displayName) {
        return brands.inDisplayName(displayName).map(Brands.Brand::name).orElse("-");
    }

    @Test
    void brandNamesAreFoundAsWholeWordsAlsoWhenSqueezedWithDotsOrWrittenInFullWidth() {
        assertThat(named("PayPal Service")).isEqualTo("PayPal");
        assertThat(named("Pay.Pal.")).isEqualTo("PayPal");
        assertThat(named("ＡＭＡＺＯＮ カスタマーサービス")).isEqualTo("Amazon");
        assertThat(named("Bank of America Alerts")).isEqualTo("Bank of America");
        assertThat(named("e-Tax（国税庁）")).isEqualTo("国税庁");
        assertThat(named("三井住友カード株式会社")).isEqualTo("三井住友");
        assertThat(named("ＪＲ東日本 えきねっと")).isEqualTo("ビューカード・えきねっと");
    }

    private String disguised(String displayName) {
        return brands.inDisplayNameDisguised(displayName).map(Brands.Brand::name).orElse("-");
    }

    @Test
    void brandNamesInDisguiseAreFoundByTheirConfusableSkeletonOrSpeltOutLetters() {
        assertThat(named("PayPaI Service")).as("capital I for l").isEqualTo("-");
        assertThat(disguised("PayPaI Service")).isEqualTo("PayPal");
        assertThat(disguised("Arnazon.co.jp")).isEqualTo("Amazon");
        assertThat(disguised("Micr0soft Account Team")).isEqualTo("Microsoft");
        assertThat(disguised("\u0410pple Support")).as("Cyrillic A").isEqualTo("Apple");
        assertThat(disguised("N e t f l i x !")).isEqualTo("Netflix");
        assertThat(disguised("C o i n b a s e")).isEqualTo("Coinbase");
        assertThat(disguised("Trust WaIIet")).isEqualTo("Trust Wallet");
        // people and companies whose names look like nothing, short names, a word that merely contains a name
        assertThat(disguised("Taro Yamada")).isEqualTo("-");
        assertThat(disguised("D H L")).as("three letters are met by chance").isEqualTo("-");
        assertThat(disguised("A B C Trading")).isEqualTo("-");
        assertThat(disguised("Arnazonia Tours")).isEqualTo("-");
        assertThat(disguised("山田 太郎")).isEqualTo("-");
        assertThat(disguised("")).isEqualTo("-");
        // one look-up for both: a plain name first, then one in disguise
        assertThat(brands.named("PayPal Service")).hasValueSatisfying(n -> assertThat(n.disguised()).isFalse());
        assertThat(brands.named("PayPaI Service")).hasValueSatisfying(n -> {
            assertThat(n.brand().name()).isEqualTo("PayPal");
            assertThat(n.disguised()).isTrue();
        });
        assertThat(brands.named("Taro Yamada")).isEmpty();
    }

    @Test
    void wordsThatMerelyContainABrandOrCommonWordsAreNotBrands() {
        assertThat(named("Googleplex Cafe")).isEqualTo("-");
        assertThat(named("Applebee's Grill")).isEqualTo("-");
        assertThat(named("Economic Outlook")).isEqualTo("-");
        assertThat(named("John Norton")).isEqualTo("-");
        assertThat(named("Pop-Ups Weekly")).isEqualTo("-");
        assertThat(named("山田みずほ")).isEqualTo("-");
        assertThat(named("")).isEqualTo("-");
    }

    @Test
    void brandsOfThePublishedMostImpersonatedListsAreKnownButTheirOrdinaryWordsAreNot() {
        assertThat(named("Bradesco Prime")).isEqualTo("Bradesco");
        assertThat(named("Correios - Aviso de entrega")).isEqualTo("Correios");
        assertThat(named("Mercado Pago")).isEqualTo("Mercado Libre・Mercado Pago");
        assertThat(named("Ledger Support")).isEqualTo("Ledger");
        assertThat(named("Booking.com Partner Hub")).isEqualTo("Booking.com");
        assertThat(named("NHK受信料窓口")).isEqualTo("NHK");
        assertThat(named("日本放送協会")).isEqualTo("NHK");
        // the same words in their everyday sense
        assertThat(named("General Ledger Team")).isEqualTo("-");
        assertThat(named("Booking Confirmation")).isEqualTo("-");
        assertThat(named("Steam Cleaning Services")).isEqualTo("-");
        assertThat(brands.owner("correios.com.br")).map(Brands.Brand::name).contains("Correios");
        assertThat(brands.owner("mercadolivre.com.br")).map(Brands.Brand::name).contains("Mercado Libre・Mercado Pago");
    }

    @Test
    void aNameThatIsAlsoAWordCountsOnlyAsTheWholeDisplayNameWithTheSendersRoleWords() {
        assertThat(named("Ledger")).isEqualTo("Ledger");
        assertThat(named("LEDGER")).isEqualTo("Ledger");
        assertThat(named("Ledger News")).isEqualTo("Ledger");
        assertThat(named("The Tesla Team")).isEqualTo("Tesla");
        assertThat(named("Ripple Customer Support")).isEqualTo("Ripple・XRP");
        assertThat(named("Lowe's")).isEqualTo("Lowe's");
        assertThat(named("Netto Kundenservice")).isEqualTo("Netto");
        // the same words among others: an accounts department, a person, a model, a goal, a hotel's own desk
        assertThat(named("General Ledger Team")).isEqualTo("-");
        assertThat(named("Katie from Ledger")).isEqualTo("-");
        assertThat(named("John Lowes")).isEqualTo("-");
        assertThat(named("Tesla Model S")).isEqualTo("-");
        assertThat(named("Target Practice")).isEqualTo("-");
        assertThat(named("Booking Team")).isEqualTo("-");
        assertThat(named("AAA Plumbing")).isEqualTo("-");
        assertThat(named("Team")).isEqualTo("-");
        // in disguise too (a capital I for l), with the role words also read by their skeletons
        assertThat(disguised("Iedger Team")).isEqualTo("Ledger");
        assertThat(disguised("T E S L A")).isEqualTo("Tesla");
        assertThat(disguised("Ieaves of grass")).isEqualTo("-");
        // never a word of a domain: general-ledger.example is no brand's
        assertThat(brands.inDomainName("general-ledger.example")).isEmpty();
        assertThat(brands.inDomainName("target-practice.example")).isEmpty();
    }

    @Test
    void japaneseCardCompaniesBanksAndLineOfThePhishingReportsAreKnown() {
        assertThat(named("ライフカード株式会社")).isEqualTo("ライフカード");
        assertThat(named("【オリコカード】ご利用確認")).isEqualTo("オリコ");
        assertThat(named("ＪＡＣＣＳ")).isEqualTo("ジャックス");
        assertThat(named("住信ＳＢＩネット銀行")).isEqualTo("住信SBIネット銀行");
        assertThat(named("LINE")).isEqualTo("LINE");
        assertThat(named("LINEヤフー株式会社")).isEqualTo("LINE");
        assertThat(named("セブン銀行")).isEqualTo("セブン銀行");
        // a music chart, a line of products, a person
        assertThat(named("オリコン ニュース")).isEqualTo("-");
        assertThat(named("Product Line Team")).isEqualTo("-");
        assertThat(named("Online Store")).isEqualTo("-");
        assertThat(brands.owner("lycorp.co.jp")).map(Brands.Brand::name).contains("LINE");
    }

    @Test
    void retailersOfTheRewardSurveyScamsAreKnownOnTheirOwnDomainsToo() {
        assertThat(named("Decathlon Kundenservice")).isEqualTo("Decathlon");
        assertThat(named("Deutsche Bahn Team")).isEqualTo("Deutsche Bahn");
        assertThat(named("Lidl-Kundenservice")).isEqualTo("Lidl");
        assertThat(named("ADAC Belohnungen")).isEqualTo("ADAC");
        assertThat(named("Sam's Club")).isEqualTo("Walmart");
        assertThat(named("The AAA Team")).isEqualTo("AAA");
        assertThat(brands.owner("lidl.de")).map(Brands.Brand::name).contains("Lidl");
        assertThat(brands.owner("bahn.de")).map(Brands.Brand::name).contains("Deutsche Bahn");
        assertThat(brands.owner("aaa.com")).map(Brands.Brand::name).contains("AAA");
    }

    @Test
    void aBrandAmongTheWordsOfAHostNameIsFoundButNotInsideAnotherWord() {
        assertThat(brands.inDomainName("paypal-secure.example")).map(Brands.Brand::name).contains("PayPal");
        assertThat(brands.inDomainName("www.paypal.com.evil.example")).map(Brands.Brand::name).contains("PayPal");
        assertThat(brands.inDomainName("ups-delivery-notice.example")).map(Brands.Brand::name).contains("UPS");
        assertThat(brands.inDomainName("applebees.com")).isEmpty();
        assertThat(brands.inDomainName("my-au.example")).isEmpty();
    }

    @Test
    void ownersAndFreeMailboxesAreExactLookups() {
        assertThat(brands.owner("amazon.co.jp")).map(Brands.Brand::name).contains("Amazon");
        assertThat(brands.owner("amazon-jp-support.com")).isEmpty();
        assertThat(brands.isFreemail("gmail.com")).isTrue();
        assertThat(brands.isFreemail("docomo.ne.jp")).isTrue();
        assertThat(brands.isFreemail("mail.docomo.ne.jp")).isFalse();
        assertThat(brands.isFreemail("example.co.jp")).isFalse();
    }

    private Optional<Brands.Named> namedByFrom(String from) throws Exception {
        byte[] raw = ("From: " + from + "\r\nTo: b@example.co.jp\r\nSubject: x\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8);
        try (ParsedMessage m = new MessageParser().parse(new ByteArrayInputStream(raw))) {
            AnalysisInput input = new AnalysisInput(new Envelope(Direction.INBOUND, "x@example.net", List.of("b@example.co.jp"),
                    "192.0.2.1", "mx", null, false, Instant.EPOCH), m);
            Optional<Brands.Named> first = brands.namedByFrom(input);
            assertThat(brands.namedByFrom(input)).as("the same for every analyzer of the message").isEqualTo(first);
            return first;
        }
    }

    @Test
    void theFromDisplayNameIsReadAfterNfkcWithTheAddressesWrittenInItLeftOut() throws Exception {
        assertThat(namedByFrom("=?UTF-8?B?77yw772B772Z77yw772B772M?= <x@evil.example>"))
                .contains(new Brands.Named(brands.inDisplayName("PayPal").orElseThrow(), false));
        assertThat(namedByFrom("\"PayPaI service@paypal.com\" <x@evil.example>")).hasValueSatisfying(n -> {
            assertThat(n.brand().name()).isEqualTo("PayPal");
            assertThat(n.disguised()).isTrue();
        });
        assertThat(namedByFrom("\"paypal@gmail.com\" <paypal@gmail.com>")).as("an address names its provider, no brand").isEmpty();
        assertThat(namedByFrom("Taro Yamada <taro@example.net>")).isEmpty();
        assertThat(namedByFrom("<x@example.net>")).isEmpty();
    }
}
