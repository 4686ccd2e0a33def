package io.mamori.core.lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ListPatternTest {

    @Test
    void valuesAreClassifiedAndNormalised() {
        assertThat(ListPattern.parse(ListTarget.SENDER, " Taro@Partner.CO.JP ")).isEqualTo(new ListPattern.Address("taro@partner.co.jp"));
        assertThat(ListPattern.parse(ListTarget.SENDER, "例え.jp")).isEqualTo(new ListPattern.Domain("xn--r8jz45g.jp"));
        assertThat(ListPattern.parse(ListTarget.SENDER, "ＰＡＲＴＮＥＲ。example.")).isEqualTo(new ListPattern.Domain("partner.example"));
        assertThat(ListPattern.parse(ListTarget.LINK, "HTTPS://Bit.ly:443/3AbC?x=1#frag")).isEqualTo(new ListPattern.Url("bit.ly", "/3AbC?x=1"));
        assertThat(ListPattern.parse(ListTarget.LINK, "http://192.0.2.1/login")).isEqualTo(new ListPattern.Url("192.0.2.1", "/login"));
    }

    @Test
    void anIpAddressInAUrlIsKeptInOneSpellingHoweverTheEntryWritesIt() {
        for (String value : List.of("http://192.0.2.1/", "http://3221225985/", "http://0xc0000201/", "http://192.0.513/",
                "http://0300.0.2.1/", "http://192.0.2.1./", "http://[::ffff:192.0.2.1]/", "http://[::FFFF:C000:201]/")) {
            assertThat(ListPattern.parse(ListTarget.LINK, value)).as(value).isEqualTo(new ListPattern.Url("192.0.2.1", "/"));
        }
        assertThat(ListPattern.parse(ListTarget.LINK, "https://[2001:DB8:0:0:0:0:0:1]:8443/x"))
                .isEqualTo(new ListPattern.Url("[2001:db8::1]", "/x"));
        assertThat(ListPattern.parse(ListTarget.LINK, "https://%65vil.example/x")).isEqualTo(new ListPattern.Url("evil.example", "/x"));
    }

    @Test
    void aDomainCoversItselfAndItsSubdomainsOnly() {
        ListPattern.Domain d = new ListPattern.Domain("partner.co.jp");
        assertThat(d.covers("partner.co.jp")).isTrue();
        assertThat(d.covers("mail.partner.co.jp")).isTrue();
        assertThat(d.covers("evilpartner.co.jp")).isFalse();
        assertThat(d.covers("partner.co.jp.evil.example")).isFalse();
    }

    @Test
    void aUrlCoversItsPathAtSegmentBoundaries() {
        ListPattern.Url u = new ListPattern.Url("bit.ly", "/abc");
        assertThat(u.covers("bit.ly", "/abc")).isTrue();
        assertThat(u.covers("bit.ly", "/abc/x")).isTrue();
        assertThat(u.covers("bit.ly", "/abc?utm=1")).isTrue();
        assertThat(u.covers("bit.ly", "/abcd")).isFalse();
        assertThat(u.covers("www.bit.ly", "/abc")).isFalse();
        assertThat(new ListPattern.Url("evil.example", "").covers("evil.example", "/anything")).isTrue();
    }

    @Test
    void theReasonOfABadValueIsGivenInJapaneseAndEnglish() {
        assertThatThrownBy(() -> ListPattern.parse(ListTarget.SENDER, "co.jp")).isInstanceOfSatisfying(InvalidListEntry.class,
                e -> {
                    assertThat(e.messageJa()).isEqualTo("'co.jp' はパブリックサフィックスです。その下のすべてのドメインに一致してしまいます");
                    assertThat(e.message("ja")).isEqualTo(e.messageJa());
                    assertThat(e.message("en")).isEqualTo("'co.jp' is a public suffix; it would match every domain under it");
                    assertThat(e.bilingual()).isEqualTo("'co.jp' はパブリックサフィックスです。その下のすべてのドメインに一致してしまいます"
                            + " / 'co.jp' is a public suffix; it would match every domain under it");
                });
        assertThatThrownBy(() -> ListPattern.parse(ListTarget.SENDER, "<taro>@partner.example"))
                .isInstanceOfSatisfying(InvalidListEntry.class, e -> assertThat(e.bilingual()).isEqualTo(
                        "'<taro>@partner.example' はメールアドレスではありません / '<taro>@partner.example' is not an e-mail address"));
        assertThatThrownBy(() -> ListKind.parse("alow")).isInstanceOfSatisfying(InvalidListEntry.class,
                e -> assertThat(e.messageJa()).isEqualTo("不明なリスト 'alow' です。allow か block を指定してください"));
        assertThatThrownBy(() -> ListTarget.parse("lnk")).isInstanceOfSatisfying(InvalidListEntry.class,
                e -> assertThat(e.messageJa()).isEqualTo("不明な対象 'lnk' です。sender か link を指定してください"));
        assertThatThrownBy(() -> new ListEntry(ListKind.ALLOW, ListTarget.LINK, new ListPattern.Domain("x.example"),
                ListSource.GLOBAL, null, "1")).isInstanceOfSatisfying(InvalidListEntry.class,
                e -> assertThat(e.messageJa()).isEqualTo("許可リスト (allow) には送信者 (sender) だけを登録できます"));
    }

    @Test
    void badValuesAreRefusedWithASpecificReason() {
        assertThatThrownBy(() -> ListPattern.parse(ListTarget.SENDER, "co.jp")).hasMessage(
                "'co.jp' is a public suffix; it would match every domain under it");
        assertThatThrownBy(() -> ListPattern.parse(ListTarget.SENDER, "*.partner.co.jp"))
                .hasMessageContaining("without '*.'");
        assertThatThrownBy(() -> ListPattern.parse(ListTarget.SENDER, "https://x.example/")).hasMessage(
                "'https://x.example/' is a URL; URLs go on link entries");
        assertThatThrownBy(() -> ListPattern.parse(ListTarget.LINK, "a@x.example")).hasMessage(
                "'a@x.example' is an address; addresses go on sender entries");
        assertThatThrownBy(() -> ListPattern.parse(ListTarget.LINK, "ftp://x.example/")).hasMessageContaining("only http and https");
        assertThatThrownBy(() -> ListPattern.parse(ListTarget.SENDER, "exa mple.com")).hasMessageContaining("spaces");
        assertThatThrownBy(() -> ListPattern.parse(ListTarget.SENDER, "192.0.2.1")).hasMessageContaining("IP address");
        assertThatThrownBy(() -> ListPattern.parse(ListTarget.SENDER, "localhost")).hasMessageContaining("two labels");
        assertThatThrownBy(() -> ListPattern.parse(ListTarget.LINK, "http://256.0.0.1/")).isInstanceOfSatisfying(
                InvalidListEntry.class, e -> assertThat(e.bilingual()).isEqualTo(
                        "'http://256.0.0.1/' の IP アドレスが正しくありません / 'http://256.0.0.1/' has an invalid IP address"));
        assertThatThrownBy(() -> ListPattern.parse(ListTarget.LINK, "http://[::g]/")).hasMessageContaining("invalid IP address");
        assertThatThrownBy(() -> ListPattern.parse(ListTarget.SENDER, "")).hasMessage("empty value");
        assertThatThrownBy(() -> ListPattern.parse(ListTarget.SENDER, "x".repeat(3000) + ".example"))
                .hasMessageContaining("longer than 2048");
    }
}
