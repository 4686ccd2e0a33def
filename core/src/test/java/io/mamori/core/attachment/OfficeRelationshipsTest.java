package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfficeRelationshipsTest {

    private static final String HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink";
    private static final String TEMPLATE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate";

    private static byte[] rels(String relationships) {
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + relationships + "</Relationships>").getBytes(StandardCharsets.UTF_8);
    }

    /** The external relationships of every relationship part of a real document (oletools' test data). */
    private static List<OfficeRelationships.External> externalsOf(String sample) throws IOException {
        List<OfficeRelationships.External> found = new ArrayList<>();
        try (InputStream in = Objects.requireNonNull(OfficeRelationshipsTest.class.getResourceAsStream("/files/" + sample));
                ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (OfficeRelationships.isRelationshipPart(e.getName().toLowerCase(java.util.Locale.ROOT))) {
                    found.addAll(OfficeRelationships.externals(zip.readAllBytes()));
                }
            }
        }
        return found;
    }

    @Test
    void theOleObjectsThatOletoolsSamplesLinkToAUrlAreRemoteContent() throws IOException {
        for (String sample : List.of("sample_with_external_link_to_doc.docx", "sample_with_external_link_to_doc.xlsx",
                "sample_with_external_link_to_doc.pptx")) {
            List<OfficeRelationships.External> externals = externalsOf("oletools/" + sample);
            assertThat(externals).as(sample).hasSize(1);
            assertThat(externals.get(0).kind()).isEqualTo("oleObject");
            assertThat(externals.get(0).target()).startsWith("https://raw.githubusercontent.com/decalage2/oletools/");
            assertThat(externals.get(0).remoteContent()).isTrue();
            assertThat(externals.get(0).hyperlink()).isFalse();
        }
    }

    @Test
    void documentsWithoutExternalRelationshipsHaveNone() throws IOException {
        // an OLE object embedded in the document, not linked; and a plain document
        assertThat(externalsOf("oletools/embedded-simple-2007.docx")).isEmpty();
        assertThat(externalsOf("oletools/harmless-clean.docx")).isEmpty();
    }

    @Test
    void hyperlinksAreExternalLinksButNotRemoteContentAndInternalTargetsAreLeftOut() {
        List<OfficeRelationships.External> externals = OfficeRelationships.externals(rels(
                "<Relationship Id=\"rId1\" Type=\"" + HYPERLINK + "\" Target=\"https://login.example/a?b=1&amp;c=2\""
                        + " TargetMode=\"External\"/>"
                        + "<Relationship Id=\"rId2\" Type=\"" + HYPERLINK + "\" Target=\"#_Toc1\"/>"
                        + "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                        + "relationships/styles\" Target=\"styles.xml\"/>"
                        // ECMA-376 strict writes another namespace; the mode's case varies between writers
                        + "<Relationship Id=\"rId4\" Type=\"http://purl.oclc.org/ooxml/officeDocument/relationships/"
                        + "hyperlink\" Target=\" http://strict.example/ \" TargetMode=\"external\"/>"));
        assertThat(externals).containsExactly(
                new OfficeRelationships.External("hyperlink", "https://login.example/a?b=1&c=2"),
                new OfficeRelationships.External("hyperlink", "http://strict.example/"));
        assertThat(externals).allMatch(OfficeRelationships.External::hyperlink).noneMatch(OfficeRelationships.External::remoteContent);
    }

    @Test
    void aTemplateOnANetworkHostIsRemoteAndOneOnTheAuthorsDiskIsNot() {
        for (String remote : List.of("https://evil.example/t.dotm", "http://198.51.100.7/x", "HTTPS://EVIL.EXAMPLE/",
                "mhtml:http://evil.example/a.html!x-usc:http://evil.example/a.html", "ftp://evil.example/t.dotm",
                "\\\\evil.example\\share\\t.dotm", "//evil.example/share/t.dotm", "file://evil.example/share/t.dotm",
                "file:\\\\evil.example\\share\\t.dotm", "webdav://evil.example/t")) {
            assertThat(OfficeRelationships.remote(remote)).as(remote).isTrue();
            assertThat(new OfficeRelationships.External("attachedTemplate", remote).remoteContent()).isTrue();
            assertThat(new OfficeRelationships.External("hyperlink", remote).remoteContent()).isFalse();
            assertThat(new OfficeRelationships.External("externalLinkPath", remote).remoteContent()).isFalse();
        }
        for (String local : List.of("file:///C:\\Users\\taro\\AppData\\Roaming\\Microsoft\\Templates\\Normal.dotm",
                "file:///C:/Templates/見積書.dotx", "C:\\Templates\\Normal.dotm", "Normal.dotm", "../templates/a.dotx",
                "file://localhost/C:/Templates/a.dotx", "file:C:/a.dotx", "")) {
            assertThat(OfficeRelationships.remote(local)).as(local).isFalse();
        }
        assertThat(OfficeRelationships.externals(rels("<Relationship Id=\"rId1\" Type=\"" + TEMPLATE
                + "\" Target=\"https://evil.example/t.dotm\" TargetMode=\"External\"/>")))
                .singleElement().satisfies(e -> assertThat(e.remoteContent()).isTrue());
    }

    @Test
    void aDoctypeWithExternalEntitiesIsNotFollowed(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "TOP-SECRET-VALUE");
        byte[] xxe = ("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]>"
                + "<Relationships><Relationship Id=\"a\" Type=\"" + HYPERLINK + "\" Target=\"http://e.example/&x;\""
                + " TargetMode=\"External\"/></Relationships>").getBytes(StandardCharsets.UTF_8);
        assertThat(OfficeRelationships.externals(xxe)).noneMatch(e -> e.target().contains("TOP-SECRET"));
    }

    @Test
    void entityExpansionDamageAndNonsenseEndQuietly() {
        StringBuilder laughs = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a0 \"lol\">");
        for (int i = 1; i < 12; i++) {
            laughs.append("<!ENTITY a").append(i).append(" \"").append(("&a" + (i - 1) + ";").repeat(10)).append("\">");
        }
        laughs.append("]><Relationships><Relationship Type=\"x/hyperlink\" TargetMode=\"External\" Target=\"&a11;\"/>"
                + "</Relationships>");
        // no DTD is read, so no entity is declared: the reference ends the reading
        assertThat(OfficeRelationships.externals(laughs.toString().getBytes(StandardCharsets.UTF_8))).isEmpty();

        // cut in the middle: the relationships before the damage stand
        byte[] whole = rels("<Relationship Id=\"rId1\" Type=\"" + HYPERLINK + "\" Target=\"https://a.example/\""
                + " TargetMode=\"External\"/><Relationship Id=\"rId2\" Type=\"" + HYPERLINK + "\" Target=\"https://b.");
        assertThat(OfficeRelationships.externals(whole))
                .containsExactly(new OfficeRelationships.External("hyperlink", "https://a.example/"));

        for (byte[] nonsense : List.of(new byte[0], "PK\u0003\u0004garbage".getBytes(StandardCharsets.ISO_8859_1),
                "<Relationship TargetMode=\"External\"/>".getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xff, (byte) 0xfe, 0, '<'})) {
            assertThatCode(() -> assertThat(OfficeRelationships.externals(nonsense)).isEmpty()).doesNotThrowAnyException();
        }
    }

    @Test
    void atMostTenThousandRelationshipsAreReadFromOnePart() {
        String one = "<Relationship Type=\"" + HYPERLINK + "\" Target=\"https://a.example/\" TargetMode=\"External\"/>";
        byte[] many = rels(one.repeat(OfficeRelationships.MAX_RELATIONSHIPS + 5));
        assertThat(OfficeRelationships.externals(many)).hasSize(OfficeRelationships.MAX_RELATIONSHIPS);
    }
}
