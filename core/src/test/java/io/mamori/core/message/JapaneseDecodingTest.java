package io.mamori.core.message;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Japanese mail decodes right: our own fixtures for the hard cases, real mail from the shared corpus. */
class JapaneseDecodingTest {

    @Test
    void iso2022JpKeepsNecAndIbmVendorCharactersInSubjectBodyAndDisplayName() {
        ParsedMessage m = Fixtures.parse("japanese/iso2022jp-vendor-characters.eml");

        assertThat(m.subject()).isEqualTo("①㈱㍉のご案内");
        assertThat(m.header("From")).contains("山田 <yamada@example.jp>");
        assertThat(m.parts()).singleElement().satisfies(p -> {
            assertThat(p.charset()).isEqualTo("iso-2022-jp");
            assertThat(p.text()).isEqualTo("①会議は㈱山田本社で行います。\r\n寸法は５㍉、担当は髙橋です。\r\n");
        });
        assertThat(m.defects()).isEmpty();
    }

    @Test
    void shiftJisLabelledAsIso2022JpIsReadAsShiftJis() {
        ParsedMessage m = Fixtures.parse("japanese/shift-jis-labelled-iso2022jp.eml");

        assertThat(m.subject()).isEqualTo("見積書送付の件");
        assertThat(m.parts().get(0).text()).isEqualTo("お世話になっております。ソフトウェア①の見積書です。\r\n");
    }

    @Test
    void encodedWordsSplitInsideAMultibyteSequenceAreJoinedBeforeDecoding() {
        ParsedMessage m = Fixtures.parse("japanese/split-encoded-words.eml");

        assertThat(m.subject()).isEqualTo("重要なお知らせ：パスワード更新");
        assertThat(m.header("From")).contains("株式会社テスト <info@example.jp>");
        assertThat(m.parts().get(0).text()).isEqualTo("本文です。");
    }

    @Test
    void fileNamesDecodeFromRfc2231ContinuationsRawShiftJisAndQuotedEncodedWords() {
        ParsedMessage m = Fixtures.parse("japanese/rfc2231-and-raw-file-names.eml");

        assertThat(m.attachments()).extracting(MimePart::filename)
                .containsExactly("請求書.pdf", "見積書_2024.xlsx", "納品書.exe", "資料.zip");
        assertThat(m.attachments()).extracting(MimePart::path).containsExactly("2", "3", "4", "5");
        assertThat(m.attachments()).extracting(MimePart::size).containsExactly(9L, 5L, 8L, 5L);
    }

    @Test
    void eucJpWithNecRow13Decodes() {
        ParsedMessage m = Fixtures.parse("japanese/euc-jp-with-nec-row13.eml");

        assertThat(m.subject()).isEqualTo("売上報告");
        assertThat(m.parts().get(0).text()).isEqualTo("売上報告①第一四半期㈱テスト\r\n");
    }

    @Test
    void iphoneCircledNumbersInJisDecode() {
        ParsedMessage m = Fixtures.parse("japanese-corpus/iphone-circled-numbers-in-jis.eml");

        assertThat(m.subject()).isEqualTo("テスト①");
        assertThat(m.parts().get(0).text()).startsWith("丸数字のテストです②ⅱ");
    }

    @Test
    void cp932LabelledBodyKeepsVendorCharacter() {
        ParsedMessage m = Fixtures.parse("japanese-corpus/iphone-cp932.eml");

        assertThat(m.subject()).isEqualTo("Re: 【NKSC】test");
        assertThat(m.parts().get(0).text()).isEqualTo("テストです。㈱");
    }

    @Test
    void longIso2022JpSubjectFoldedOverManyEncodedWordsDecodes() {
        ParsedMessage m = Fixtures.parse("japanese-corpus/pc-mail-multi.eml");

        assertThat(m.subject()).isEqualTo(
                "タイトルの長いメールの場合の対処を実装するためのテストケースとしてのメールに含まれている件名であるサブジェクト部分");
        assertThat(m.parts()).extracting(MimePart::text).containsExactly("本文です\n\n", "本文です\n\n");
    }

    @Test
    void rfc2231ContinuationFileNameFromMailGemDecodes() {
        ParsedMessage m = Fixtures.parse("japanese-corpus/japanese_attachment_long_name.eml");

        assertThat(m.subject()).isEqualTo("まみむめも".repeat(10));
        assertThat(m.attachments()).singleElement()
                .extracting(MimePart::filename).isEqualTo("かきくけこ".repeat(5) + ".txt");
    }

    @Test
    void shiftJisBodyFromMailGemDecodes() {
        ParsedMessage m = Fixtures.parse("japanese-corpus/japanese_shift_jis.eml");

        assertThat(m.parts().get(0).text()).contains("このメールはテスト用のメールです。", "今後ともよろしくお願い申し上げます！");
    }

    @Test
    void eucJpBytesLabelledIso2022JpFromSpamAssassinDecode() {
        ParsedMessage m = Fixtures.parse("japanese-corpus/spamassassin-iso-2022-jp.2.eml");

        assertThat(m.parts().get(0).text()).startsWith(">ああ、心当たりがあります。たぶん、この前のsshと同じ問題です。");
    }

    @Test
    void exchangeBounceWithIso2022JpSubjectDecodes() {
        ParsedMessage m = Fixtures.parse("japanese-corpus/lhost-exchange2007-04.eml");

        assertThat(m.subject()).isEqualTo("Undeliverable: キジトラ・フラッシュ/ニャーン");
    }
}
