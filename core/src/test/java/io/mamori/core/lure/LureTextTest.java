package io.mamori.core.lure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LureTextTest {

    /** The general folding rules applied to ASCII text (NFKC leaves ASCII as it is), for comparison. */
    private static String reference(String text) {
        StringBuilder out = new StringBuilder();
        boolean space = false;
        for (char c : text.toCharArray()) {
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = true;
                continue;
            }
            if (Character.getType(c) == Character.FORMAT) {
                continue;
            }
            if (space && out.length() > 0) {
                out.append(' ');
            }
            space = false;
            out.append(Character.toLowerCase(c));
        }
        return out.toString();
    }

    @Test
    void asciiTextFoldsByTheGeneralRules() {
        for (char c = 0; c < 0x80; c++) {
            String text = "A" + c + "b" + c + c + "Z" + c;
            assertThat(LureText.fold(text)).as("U+%04X", (int) c).isEqualTo(reference(text));
        }
        Random random = new Random(20261128L);
        for (int round = 0; round < 500; round++) {
            char[] text = new char[random.nextInt(60)];
            for (int i = 0; i < text.length; i++) {
                text[i] = (char) random.nextInt(0x80);
            }
            assertThat(LureText.fold(new String(text))).isEqualTo(reference(new String(text)));
        }
    }

    @Test
    void asciiTextCollapsesSpacesAndLowerCases() {
        assertThat(LureText.fold("  Verify\tYOUR\r\n\n account \u001F now ")).isEqualTo("verify your account now");
    }

    @Test
    void latinLettersLoseTheirAccentsAndTypographicApostrophesBecomePlainOnes() {
        assertThat(LureText.fold("ATUALIZAÇÃO Cadastral")).isEqualTo("atualizacao cadastral");
        assertThat(LureText.fold("Bestätigen Sie Ihre Identität")).isEqualTo("bestatigen sie ihre identitat");
        assertThat(LureText.fold("Échec de livraison, vous avez été sélectionné")).isEqualTo("echec de livraison, vous avez ete selectionne");
        // letters without an ASCII base are only lower-cased; signs in the Latin-1 block stay as they are
        assertThat(LureText.fold("STRAẞE Straße Øre 3×4")).isEqualTo("straẞe straße øre 3×4");
        assertThat(LureText.fold("you\u2019ve won")).isEqualTo("you've won");
    }

    @Test
    void nonAsciiTextIsNormalisedAndKatakanaFolded() {
        assertThat(LureText.fold("ＰａｙＰａｌ\u200B アカウント")).isEqualTo("paypal あかうんと");
    }

    @Test
    void variationSelectorsAndTagCharactersAreDroppedLikeOtherInvisibleCharacters() {
        assertThat(LureText.fold("アカ\uFE00ウント パス\uDB40\uDD00ワード 本\uFE0F人確認 ID\uDB40\uDC20\u200E"))
                .isEqualTo("あかうんと ぱすわーど 本人確認 id");
    }

    @Test
    void kanjiAndDashesThatLookLikeKatakanaAreReadAsKatakanaOnlyInsideKatakanaWords() {
        assertThat(LureText.readKatakana("ア力ウントが口ックされました。パスワ一ド、パスワ\u2015ド、パスワ-ド、工ラー、八ッキング"))
                .isEqualTo("アカウントがロックされました。パスワード、パスワード、パスワード、エラー、ハッキング");
        // the kanji of ordinary Japanese, a list item's dash and a count of months stay as they are
        for (String ordinary : List.of("努力して人口ゼロの村へ", "アカウント一時停止のお知らせ", "カタログ一覧", "一ヶ月無料",
                "工事のため八時から二人で作業", "- リスト項目", "ID-1234", "メール一通", "力を合わせて")) {
            assertThat(LureText.readKatakana(ordinary)).isSameAs(ordinary);
        }
    }

    @Test
    void fullWidthTextIsNormalisedBeforeLookAlikesAreRead() {
        assertThat(LureText.normalised("ａｃｃ０ｕｎｔ")).isEqualTo("acc0unt");
        String ascii = "acc0unt";
        assertThat(LureText.normalised(ascii)).isSameAs(ascii);
    }

    @Test
    void katakanaThatLookLikeKanjiAreReadAsKanjiOnlyBesideKanjiOutsideKatakanaWords() {
        assertThat(LureText.readKanji("パスワードを入カしてロ座をー時停止")).isEqualTo("パスワードを入力して口座を一時停止");
        for (String ordinary : List.of("入口ロビーでサーバー更新", "カード情報", "データ一覧", "東京タワー", "ログイン")) {
            assertThat(LureText.readKanji(ordinary)).isSameAs(ordinary);
        }
    }

    @Test
    void textADirectionalOverrideTurnsAroundIsPutInTheOrderShownAndOtherTextIsLeftAsItIs() {
        // an override ends with its line; a left-to-right override leaves Latin letters as written
        assertThat(LureText.fold(LureText.inVisualOrder("Your \u202Etnuocca\u202C is locked\nline \u202Eowt\n\u202Deno")))
                .isEqualTo("your account is locked line two eno");
        assertThat(LureText.fold(LureText.inVisualOrder("お客様の\u202Eトンウカア\u202Cを停止"))).isEqualTo("お客様のあかうんとを停止");
        String plain = "no override: drowssap \u05E9\u05DC\u05D5\u05DD";
        assertThat(LureText.inVisualOrder(plain)).isSameAs(plain);
        // an override around right-to-left letters turns nothing around that the screen does not
        assertThat(LureText.fold(LureText.inVisualOrder("Dana \u202E\u05E9\u05DC\u05D5\u05DD\u202C")))
                .isEqualTo("dana \u05DD\u05D5\u05DC\u05E9");
    }
}
