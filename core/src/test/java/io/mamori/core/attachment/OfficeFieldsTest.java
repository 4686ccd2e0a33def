package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OfficeFieldsTest {

    private static InputStream xml(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theKeywordIsTheInstructionsFirstWordInAnyCase() {
        assertThat(OfficeFields.isDde(" DDEAUTO c:\\\\x.exe")).isTrue();
        assertThat(OfficeFields.isDde("dde \"c:\\\\x.exe\"")).isTrue();
        assertThat(OfficeFields.isDde("DDE\"cmd\"")).isTrue();
        assertThat(OfficeFields.isDde("DDEX x")).isFalse();
        assertThat(OfficeFields.isDde("HYPERLINK \"https://example.com/DDE\"")).isFalse();
        assertThat(OfficeFields.isDde("")).isFalse();
    }

    @Test
    void aQuoteOfCharacterCodesGivesItsCharactersAndAnythingElseNothing() {
        assertThat(OfficeFields.quoted(" QUOTE 68 68 69 65 85 84 79 ")).isEqualTo("DDEAUTO");
        assertThat(OfficeFields.quoted("quote 100 100 101")).isEqualTo("dde");
        assertThat(OfficeFields.quoted("QUOTE \"DDE\"")).isEmpty();
        assertThat(OfficeFields.quoted("QUOTE 0 68")).isEmpty();
        assertThat(OfficeFields.quoted("QUOTE 99999999999")).isEmpty();
        assertThat(OfficeFields.quoted("PAGE")).isEmpty();
    }

    @Test
    void damagedXmlEndsTheSearchQuietlyAndTheInputsOwnFailureIsPassedOn() throws IOException {
        assertThat(OfficeFields.dde(xml("<w:document xmlns:w=\"x\"><unclosed"))).isEmpty();
        assertThat(OfficeFields.dde(xml(""))).isEmpty();
        assertThat(OfficeFields.dde(xml("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<externalLink><ddeLink ddeService=\"&e;\"/></externalLink>"))).isEmpty();
        // a DDE link before the damage is found
        assertThat(OfficeFields.dde(xml("<externalLink><ddeLink ddeService=\"cmd\" ddeTopic=\"/c calc\"/><broken"))).hasValue("cmd|/c calc");

        RuntimeException budget = new IllegalStateException("budget passed");
        InputStream failing = new SequenceInputStream(xml("<w:document xmlns:w=\"x\"><w:body>"), new InputStream() {
            @Override
            public int read() {
                throw budget;
            }
        });
        assertThatThrownBy(() -> OfficeFields.dde(failing)).isSameAs(budget);
        InputStream broken = new SequenceInputStream(xml("<a>"), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("truncated");
            }
        });
        assertThatThrownBy(() -> OfficeFields.dde(broken)).isInstanceOf(IOException.class).hasMessage("truncated");
    }

    @Test
    void aPartWithoutFieldNamesIsNotParsedAndALargePartIsParsedWhole() throws IOException {
        // XML names are case-sensitive: "ddelink" is not Excel's element, and the part holds neither name
        for (String with : List.of("<w:instrText>", "w:instr=", "<ddeLink ", "instr")) {
            assertThat(OfficeFields.namesAField(with.getBytes(StandardCharsets.US_ASCII))).as(with).isTrue();
        }
        for (String without : List.of("", "inst", "ddeLin", "<w:t>instruction</w:t>".replace("instr", "inst r"), "ddelink")) {
            assertThat(OfficeFields.namesAField(without.getBytes(StandardCharsets.US_ASCII))).as(without).isFalse();
        }
        assertThat(OfficeFields.dde(xml("<externalLink><ddelink ddeService=\"cmd\"/></externalLink>"))).isEmpty();
        // a field after the first two megabytes of text is found
        String w = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";
        String padding = "<w:p><w:r><w:t>" + "本文".repeat(OfficeFields.PREFILTER_BYTES / 3) + "</w:t></w:r></w:p>";
        assertThat(OfficeFields.dde(xml("<w:document " + w + "><w:body>" + padding
                + "<w:p><w:fldSimple w:instr=\"DDEAUTO cmd\"/></w:p></w:body></w:document>"))).hasValue("DDEAUTO cmd");
    }

    @Test
    void ddeFormulasInCsvCellsAreFoundWhereverTheCellStarts() {
        assertThat(OfficeFields.csvDde("=cmd|'/k \\..\\..\\calc.exe'!A0")).hasValue("cmd|/k \\..\\..\\calc.exe");
        assertThat(OfficeFields.csvDde("name,amount\r\nx,-2+3+cmd|' /C calc'!A0\r\n")).hasValue("cmd| /C calc");
        assertThat(OfficeFields.csvDde("a;\"@SUM(1+1)*MSEXCEL|'\\..\\Windows\\System32\\regsvr32 /s'!''\"")).isPresent();
        assertThat(OfficeFields.csvDde("a\t+msexcel|calc!A1")).hasValue("msexcel|calc");
        // formulas and pipes that are no DDE
        assertThat(OfficeFields.csvDde("=SUM(A1:A3),=A1&\"|\"&B1,note: a|b!,=IF(A1>0,\"x\",\"y\")")).isEmpty();
        assertThat(OfficeFields.csvDde("text cmd|'/c calc'!A0 not at a cell's start")).isEmpty();
    }

    /** {@code count} paragraphs of text, made as they are read. */
    private static InputStream paragraphs(long count) {
        byte[] one = "<w:p><w:r><w:t>本文の段落です。</w:t></w:r></w:p>".getBytes(StandardCharsets.UTF_8);
        return new InputStream() {
            long left = count * one.length;

            @Override
            public int read() {
                return left <= 0 ? -1 : one[(int) (count * one.length - left--) % one.length] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                for (int i = 0; i < n; i++) {
                    b[off + i] = one[(int) ((count * one.length - left + i) % one.length)];
                }
                left -= n;
                return n;
            }
        };
    }

    @Test
    void aFieldPastTheParsedBytesIsNotSoughtAndTheRestIsLeftUnread() throws IOException {
        String w = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";
        byte[] start = ("<w:document " + w + "><w:body>").getBytes(StandardCharsets.UTF_8);
        byte[] field = "<w:p><w:fldSimple w:instr=\"DDEAUTO cmd\"/></w:p></w:body></w:document>".getBytes(StandardCharsets.UTF_8);
        long early = 1_000_000 / 60;
        assertThat(OfficeFields.dde(new SequenceInputStream(java.util.Collections.enumeration(List.of(
                new ByteArrayInputStream(start), paragraphs(early), new ByteArrayInputStream(field))))))
                .as("a field after a megabyte").hasValue("DDEAUTO cmd");
        long past = OfficeFields.MAX_PARSED_BYTES / 50 + 1000;
        InputStream late = new SequenceInputStream(java.util.Collections.enumeration(List.of(
                new ByteArrayInputStream(start), paragraphs(past), new ByteArrayInputStream(field))));
        assertThat(OfficeFields.dde(late)).isEmpty();
        assertThat(late.read()).as("the rest of the part is the caller's").isNotNegative();
    }

    @Test
    void fieldsNestedTooDeepEndTheSearchAndLongInstructionsAreCut() throws IOException {
        String w = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";
        String begin = "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>";
        assertThat(OfficeFields.dde(xml("<w:document " + w + ">" + begin.repeat(OfficeFields.MAX_DEPTH + 1)
                + "<w:r><w:instrText>DDE x</w:instrText></w:r></w:document>"))).isEmpty();
        String longField = "<w:document " + w + ">" + begin + "<w:r><w:instrText>DDE " + "x".repeat(10_000)
                + "</w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:document>";
        assertThat(OfficeFields.dde(xml(longField))).hasValueSatisfying(
                i -> assertThat(i).hasSize(OfficeFields.MAX_INSTRUCTION).startsWith("DDE xxx"));
    }
}
