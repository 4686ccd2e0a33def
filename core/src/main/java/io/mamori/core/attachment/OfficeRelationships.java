package io.mamori.core.attachment;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The external relationships of an Office Open XML document: what a relationship part ({@code word/_rels/document.xml.rels},
 * {@code ppt/slides/_rels/slide1.xml.rels}, ECMA-376 Part 2, Open Packaging Conventions §9.3) points to outside the
 * document ({@code TargetMode="External"}). Two kinds matter here:
 * <ul>
 * <li><b>hyperlinks</b> ({@code …/relationships/hyperlink}): the links a reader clicks in the document, which the link
 *     analyzers examine like the links of the mail's text;</li>
 * <li><b>remote content</b>: an attached template, OLE object, frame or sub-document that Office fetches from a network
 *     address when the document is opened (remote template injection, MITRE ATT&amp;CK T1221; the OLE object links of
 *     CVE-2017-0199 and CVE-2021-40444), or whose UNC path makes Windows hand the reader's NTLM credentials to that
 *     host. A template on the author's own disk ({@code file:///C:/…}), which Word writes into ordinary documents, is
 *     not remote.</li>
 * </ul>
 * Read with the JDK's own StAX parser, without DTDs or external entities ({@link OfficeXml}); a damaged or hostile part yields the relationships before the damage. Bounded: at most
 * {@value #MAX_RELATIONSHIPS} relationships read per part (the caller bounds the part's bytes). Stateless.
 */
public final class OfficeRelationships {

    /** Bytes of one relationship part read at most (Word writes a few kilobytes). */
    public static final int MAX_PART_BYTES = 1024 * 1024;
    /** Relationships read from one part at most. */
    static final int MAX_RELATIONSHIPS = 10_000;

    /** A URI scheme of two or more characters: one letter before the colon is a Windows drive ({@code C:\…}). */
    private static final Pattern SCHEME = Pattern.compile("^[a-z][a-z0-9+.-]+:");

    /**
     * One external relationship.
     *
     * @param kind   the last segment of its type ({@code hyperlink}, {@code attachedTemplate}, {@code oleObject} …)
     * @param target its target as written (entities decoded)
     */
    public record External(String kind, String target) {
        public External {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(target, "target");
        }

        /** A link a reader clicks in the document. */
        public boolean hyperlink() {
            return kind.equals("hyperlink");
        }

        /**
         * Content Office loads by itself when the document opens, from another host: an attached template, OLE
         * object, frame or sub-document at a network address ({@link OfficeRelationships#remote}).
         */
        public boolean remoteContent() {
            return LOADED.contains(kind) && remote(target);
        }
    }

    /** Relationship kinds whose target Office loads when the document is opened, without a click. */
    private static final java.util.Set<String> LOADED = java.util.Set.of("attachedTemplate", "oleObject", "frame",
            "subDocument");

    private OfficeRelationships() {
    }

    /** Whether an entry of an Office Open XML document (its name in lower case) is a relationship part. */
    public static boolean isRelationshipPart(String lowerName) {
        return lowerName.endsWith(".rels");
    }

    /**
     * The external relationships of a relationship part, in document order; those before any damage when the XML is
     * damaged or not a relationship part at all (then usually none).
     */
    public static List<External> externals(byte[] part) {
        List<External> found = new ArrayList<>();
        for (Relationship r : relationships(part)) {
            if (r.mode() != null && r.mode().strip().equalsIgnoreCase("External") && r.type() != null && r.target() != null) {
                found.add(new External(kind(r.type()), r.target().strip()));
            }
        }
        return found;
    }

    /**
     * Relationship kinds that make their target part a macro Office runs, whatever the part is named: a VBA project,
     * and Excel 4 macro sheets (international ones too).
     */
    private static final java.util.Set<String> MACROS = java.util.Set.of("vbaProject", "xlMacrosheet",
            "xlIntlMacrosheet");

    /**
     * The kind of the first relationship of a relationship part that points at a macro ({@code vbaProject},
     * {@code xlMacrosheet}, {@code xlIntlMacrosheet}), or {@code null}. A document's parts may be named anything
     * (a VBA project as {@code word/media/image1.bin}, a macro sheet among {@code xl/worksheets/}): the relationship
     * type is what Office goes by.
     */
    static String macro(byte[] part) {
        for (Relationship r : relationships(part)) {
            if (r.type() != null && MACROS.contains(kind(r.type()))) {
                return kind(r.type());
            }
        }
        return null;
    }

    /** One {@code Relationship} element's attributes as written (any may be missing). */
    private record Relationship(String type, String target, String mode) {
    }

    /** The last path segment of a relationship type URI ({@code …/relationships/vbaProject}). */
    private static String kind(String type) {
        String t = type.strip();
        return t.substring(t.lastIndexOf('/') + 1);
    }

    /**
     * The relationships of a relationship part, in document order, at most {@code MAX_RELATIONSHIPS}; those before any
     * damage when the XML is damaged or not a relationship part at all (then usually none).
     */
    private static List<Relationship> relationships(byte[] part) {
        List<Relationship> found = new ArrayList<>();
        XMLStreamReader xml = null;
        try {
            xml = OfficeXml.reader(new ByteArrayInputStream(part));
            while (xml.hasNext() && found.size() < MAX_RELATIONSHIPS) {
                if (xml.next() == XMLStreamConstants.START_ELEMENT && xml.getLocalName().equals("Relationship")) {
                    found.add(new Relationship(xml.getAttributeValue(null, "Type"), xml.getAttributeValue(null, "Target"),
                            xml.getAttributeValue(null, "TargetMode")));
                }
            }
        } catch (XMLStreamException | RuntimeException damaged) {
            // RuntimeException: the JDK's parser throws some (IllegalStateException, …) on malformed input; what was
            // read before stands
        } finally {
            OfficeXml.close(xml);
        }
        return found;
    }

    /**
     * Whether a relationship's target is on another host: a URL of any scheme but {@code file:} ({@code https://…},
     * {@code mhtml:http://…}, {@code \\host\share} as {@code file://host/share}), or a UNC path ({@code \\host\share},
     * {@code //host/share}). A path on the reader's own disk ({@code file:///C:/…}, {@code C:\…}) or inside the
     * document is not.
     */
    static boolean remote(String target) {
        String t = target.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith("\\\\") || t.startsWith("//") || t.startsWith("/\\") || t.startsWith("\\/")) {
            return true;
        }
        if (t.startsWith("file:")) {
            String rest = t.substring(5).replace('\\', '/');
            if (!rest.startsWith("//")) {
                return false; // file:C:/… or file:/C:/…: local
            }
            rest = rest.substring(2);
            // file:///C:/… has an empty host; file://localhost/… is the reader's own machine
            return !(rest.isEmpty() || rest.startsWith("/") || rest.startsWith("localhost/"));
        }
        return SCHEME.matcher(t).find();
    }

}
