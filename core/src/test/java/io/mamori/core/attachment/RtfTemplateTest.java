package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RtfTemplateTest {

    private static Optional<String> of(String rtf) {
        return RtfTemplate.of(rtf.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void theTemplateOfADocumentIsReadAsWordWrites() {
        assertThat(of("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times;}}{\\*\\template C:\\\\Users\\\\taro\\\\Templates\\\\Normal.dotm}"
                + "\\pard Hello\\par}")).hasValue("C:\\Users\\taro\\Templates\\Normal.dotm");
        assertThat(of("{\\rtf1{\\*\\template http://198.51.100.7/t.dotm}}")).hasValue("http://198.51.100.7/t.dotm");
    }

    @Test
    void hexBytesUnicodeEscapesLineBreaksAndNestedGroupsDoNotHideTheTarget() {
        // "http" as hexadecimal bytes, a line break inside the control word and inside the target, Unicode escapes with fallbacks
        assertThat(of("{\\rtf1{\\*\\tem\r\nplate \\'68\\'74\\'74\\'70://ev\r\nil.example/\\u116?\\u46?dotm}}"))
                .hasValue("http://evil.example/t.dotm");
        // groups inside the destination (formatting, ignorable destinations) add nothing
        assertThat(of("{\\rtf1{\\*\\template {\\*\\junk ignored}https://evil.{\\b}example/a.dot}}"))
                .hasValue("https://evil.example/a.dot");
        // uc2: two fallback characters after each Unicode escape
        assertThat(of("{\\rtf1{\\*\\template \\uc2\\u104 xxttps://e.example/}}")).hasValue("https://e.example/");
        assertThat(RtfTemplate.of(("{\\rtf1{\\*\\template \\\\\\\\198.51.100.7\\\\s\\\\t.dot}}")
                .getBytes(StandardCharsets.US_ASCII))).hasValue("\\\\198.51.100.7\\s\\t.dot");
    }

    @Test
    void withoutATemplateOrWithAnotherWordThereIsNone() {
        assertThat(of("{\\rtf1\\ansi Hello \\par}")).isEmpty();
        assertThat(of("{\\rtf1{\\*\\templatex http://e.example/}}")).isEmpty();
        assertThat(of("{\\rtf1{\\*\\template }}")).isEmpty();
        assertThat(of("{\\rtf1{\\*\\template")).isEmpty();
        assertThat(of("")).isEmpty();
        // cut files and odd escapes end quietly
        assertThat(of("{\\rtf1{\\*\\template http://e.example/\\'")).hasValue("http://e.example/");
        assertThat(of("{\\rtf1{\\*\\template http://e.example/\\u99999999999999 x}}")).hasValue("http://e.example/x");
    }

    @Test
    void theTargetIsCut() {
        assertThat(of("{\\rtf1{\\*\\template http://e.example/" + "a".repeat(10_000) + "}}").orElseThrow())
                .hasSize(RtfTemplate.MAX_TARGET);
    }
}
