package io.mamori.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Every text of the console and its notices exists in Japanese and in English (the project's rule: Japanese first). */
class MessageBundlesTest {

    private static Properties bundle(String language) throws Exception {
        Properties p = new Properties();
        try (InputStream in = MessageBundlesTest.class.getResourceAsStream("/messages_" + language + ".properties")) {
            assertThat(in).as("messages_" + language + ".properties").isNotNull();
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }

    @Test
    void bothLanguagesHaveEveryKeyWithAText() throws Exception {
        Properties ja = bundle("ja");
        Properties en = bundle("en");

        assertThat(ja.stringPropertyNames()).isNotEmpty().isEqualTo(en.stringPropertyNames());
        ja.stringPropertyNames().forEach(k -> assertThat(ja.getProperty(k)).as("ja " + k).isNotBlank());
        en.stringPropertyNames().forEach(k -> assertThat(en.getProperty(k)).as("en " + k).isNotBlank());
        // the Japanese bundle is Japanese: most of its texts hold kana or kanji
        long japanese = ja.stringPropertyNames().stream()
                .filter(k -> ja.getProperty(k).codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN
                        || Character.UnicodeScript.of(c) == Character.UnicodeScript.HIRAGANA
                        || Character.UnicodeScript.of(c) == Character.UnicodeScript.KATAKANA))
                .count();
        assertThat(japanese).isGreaterThan(ja.size() * 8L / 10);
    }
}
