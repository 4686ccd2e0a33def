package io.mamori.core.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class EncodedWordsTest {

    private static String b(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Test
    void adjacentWordsJoinAcrossFoldsAndTextBetweenWordsIsKept() {
        assertThat(EncodedWords.decode("Re: =?UTF-8?B?5pel5pys?=\r\n =?UTF-8?Q?=E8=AA=9E?= end"))
                .isEqualTo("Re: 日本語 end");
    }

    @Test
    void utf8CharacterSplitBetweenTwoWordsSurvives() {
        byte[] u = "日本".getBytes(StandardCharsets.UTF_8);
        String value = "=?utf-8?B?" + b(java.util.Arrays.copyOfRange(u, 0, 2)) + "?= =?UTF-8?B?"
                + b(java.util.Arrays.copyOfRange(u, 2, u.length)) + "?=";
        assertThat(EncodedWords.decode(value)).isEqualTo("日本");
    }

    @Test
    void base64SplitInsideAQuantumIsJoined() {
        String whole = b("テスト".getBytes(StandardCharsets.UTF_8));
        String value = "=?UTF-8?B?" + whole.substring(0, 5) + "?= =?UTF-8?B?" + whole.substring(5) + "?=";
        assertThat(EncodedWords.decode(value)).isEqualTo("テスト");
    }

    @Test
    void wordsInDifferentCharsetsDecodeSeparately() {
        String sjis = b("①".getBytes(Charset.forName("windows-31j")));
        assertThat(EncodedWords.decode("=?Shift_JIS?B?" + sjis + "?= =?UTF-8?Q?=E2=91=A1?=")).isEqualTo("①②");
    }

    @Test
    void rfc2231LanguageSuffixAndUnderscoresInQWordsAreHandled() {
        assertThat(EncodedWords.decode("=?US-ASCII*EN?Q?Keith_Moore?=")).isEqualTo("Keith Moore");
    }

    @Test
    void rawEightBitHeaderBytesUseTheHintThenTheGuess() {
        byte[] sjis = " 見積書".getBytes(Charset.forName("windows-31j"));
        assertThat(EncodedWords.decode(sjis)).isEqualTo(" 見積書");
        byte[] gb = "装硬碟".getBytes(Charset.forName("GB2312"));
        assertThat(EncodedWords.decode(gb, "gb2312")).isEqualTo("装硬碟");
    }

    @Test
    void malformedWordsAreLeftReadableInsteadOfThrowing() {
        assertThat(EncodedWords.decode("=?UTF-8?B?@@@?= x")).isEqualTo(" x");
        assertThat(EncodedWords.decode("=?UTF-8?X?abc?=")).isEqualTo("=?UTF-8?X?abc?=");
        assertThat(EncodedWords.decode("plain =? text ?=")).isEqualTo("plain =? text ?=");
    }

    @Test
    void handMatcherFindsWhatTheEncodedWordPatternFinds() {
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile("=\\?([^?\\s]+)\\?([bBqQ])\\?([^?\\s]*)\\?=");
        String[] values = {"=?utf-8?Q?a?=", "=?=?utf-8?Q?a?=", "=?utf-8?Q??=", "=?utf-8?q?a b?= =?x?B?YQ==?=", "=??Q?a?=",
            "=?utf-8?Z?a?= =?utf-8?b?YQ?=", "=?utf-8?Q?a?", "=?utf-8?Q?a?x?=", "x=?a\tb?Q?c?= =?a?Q?c\u000b?=", "=?", "=?a?",
            "=?a?Q", "=?a?Q?", "=?a?Q?b", "=?a?Q?b?", "==?a?Q?b?==?c?B?d?=", "=?日本?Q?語?=", "=?a?Q?\u3000?="};
        for (String value : values) {
            java.util.regex.Matcher m = pattern.matcher(value);
            int from = 0;
            EncodedWords.Word w = EncodedWords.next(value, from);
            while (m.find(from)) {
                assertThat(w).as(value).isNotNull();
                assertThat(new Object[] {w.start(), w.end(), w.charset(), w.encoding(), w.text()}).as(value)
                        .containsExactly(m.start(), m.end(), m.group(1), m.group(2), m.group(3));
                from = m.end();
                w = EncodedWords.next(value, from);
            }
            assertThat(w).as(value).isNull();
        }
    }

    @Test
    void thePlainFastPathGivesWhatTheFullDecodingGives() {
        java.util.Random random = new java.util.Random(1128);
        String[] pieces = {"a", "Subject text ", "\r\n ", "\n\t", "\r", "=", "?", "=?", "=\r\n ?", "=?utf-8?Q?a?=",
            "=?UTF-8?B?5pel5pys?=", "\u001b$B", "\u001b(B", "\u000e", "\u00e9", "0123456789abcdef", "_"};
        for (int round = 0; round < 20_000; round++) {
            StringBuilder value = new StringBuilder();
            for (int k = random.nextInt(10); k > 0; k--) {
                value.append(pieces[random.nextInt(pieces.length)]);
            }
            byte[] raw = value.toString().getBytes(StandardCharsets.ISO_8859_1);
            String full = EncodedWords.decode(MailCharsets.decode(raw, null));
            String plain = EncodedWords.plainUnfolded(raw);
            if (plain != null) {
                assertThat(plain).as(value.toString()).isEqualTo(full);
            }
            assertThat(EncodedWords.decode(raw)).as(value.toString()).isEqualTo(full);
        }
        assertThat(EncodedWords.plainUnfolded("a long header value\r\n folded twice\r\n\tover lines".getBytes(
                StandardCharsets.ISO_8859_1))).isEqualTo("a long header value folded twice\tover lines");
    }
}
