package io.mamori.core.attachment;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Set;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSStream;

/**
 * JavaScript in a PDF's XFA form (the XML Forms Architecture of Adobe LiveCycle, kept in the {@code /XFA} entry of the
 * interactive form dictionary) that runs without the reader asking: a {@code <script>} of an {@code <event>} whose
 * activity is {@code initialize}, {@code ready}, {@code docReady} or {@code docClose} (as the form opens, is laid out
 * or closes) or {@code preSave}, {@code postSave}, {@code prePrint} or {@code postPrint} (as the PDF's catalogue
 * actions "will save" and "will print" are counted). Adobe Reader runs these; XFA was how the exploits of Reader's
 * JavaScript and image libraries reached their payload (CVE-2010-0188, CVE-2013-0640), and pdfid counts {@code /XFA}
 * for that reason. Like the PDF's own scripts, a field's {@code calculate} and {@code validate} scripts and those of
 * clicks and keystrokes are not counted (tax and bank forms have them), nor scripts in FormCalc, XFA's default
 * language for spreadsheet-like calculations, nor scripts that run only on a form server ({@code runAt="server"}).
 *
 * <p>PDFBox hands out the XFA packets but does not interpret them, and no library reads XFA's event model, so the
 * packets are read here with the JDK's StAX parser, hardened as for Office XML ({@link OfficeXml}: no DTD, no entities).
 * Bounded: at most {@value #MAX_BYTES} bytes of packets and {@value #MAX_EVENTS} parser events. Stateless.
 */
final class XfaScripts {

    /** Bytes of XFA packets read at most (LiveCycle forms are tens to hundreds of kilobytes). */
    static final int MAX_BYTES = 4 * 1024 * 1024;
    /** Parser events looked at at most. */
    static final int MAX_EVENTS = 1_000_000;

    /** XFA's names are case-sensitive: a viewer runs no event whose activity it does not know ({@code docclose}). */
    private static final Set<String> UNASKED = Set.of("initialize", "ready", "docReady", "docClose", "preSave",
            "postSave", "prePrint", "postPrint");

    private XfaScripts() {
    }

    /**
     * The activity of the first event whose JavaScript runs unasked ({@code "docReady"}), or {@code null} when the
     * form has none, has no XFA, or its XFA cannot be read.
     */
    static String unasked(COSDictionary acroForm) {
        if (acroForm == null) {
            return null;
        }
        byte[] xml;
        try {
            xml = packets(acroForm.getDictionaryObject(COSName.XFA));
        } catch (IOException | RuntimeException damaged) {
            return null; // packets that cannot be decoded hold no script a reader would run either
        }
        return xml.length == 0 ? null : firstUnasked(new ByteArrayInputStream(xml));
    }

    /**
     * The XFA packets as one XML text: a single stream, or the streams of an array that alternates packet names and
     * streams (XFA 3.3, §"XDP packaging"), in order, at most {@value #MAX_BYTES} bytes.
     */
    private static byte[] packets(COSBase xfa) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (xfa instanceof COSStream stream) {
            append(stream, out);
        } else if (xfa instanceof COSArray array) {
            for (int i = 1; i < array.size() && out.size() < MAX_BYTES; i += 2) {
                if (array.getObject(i) instanceof COSStream stream) {
                    append(stream, out);
                }
            }
        }
        return out.toByteArray();
    }

    private static void append(COSStream stream, ByteArrayOutputStream out) throws IOException {
        try (InputStream in = stream.createInputStream()) {
            out.write(in.readNBytes(MAX_BYTES - out.size()));
        }
    }

    /** The first unasked JavaScript event of an XFA text; what was read before damaged or cut-off XML stands. */
    static String firstUnasked(InputStream in) {
        XMLStreamReader xml = null;
        // the activity of each open <event> ("" for events that do not run unasked), innermost first
        Deque<String> events = new ArrayDeque<>();
        String scriptOf = null; // the unasked activity whose JavaScript <script> is being read
        boolean written = false; // whether that script has any text
        try {
            xml = OfficeXml.reader(in);
            for (int n = 0; n < MAX_EVENTS && xml.hasNext(); n++) {
                switch (xml.next()) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        String name = xml.getLocalName();
                        if (name.equals("event")) {
                            String activity = xml.getAttributeValue(null, "activity");
                            events.push(activity != null && UNASKED.contains(activity) ? activity : "");
                        } else if (name.equals("script") && !events.isEmpty() && !events.peek().isEmpty()
                                && javascript(xml.getAttributeValue(null, "contentType"))
                                && !"server".equals(xml.getAttributeValue(null, "runAt"))) {
                            scriptOf = events.peek();
                            written = false;
                        }
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
                        written |= scriptOf != null && !xml.getText().isBlank();
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        String name = xml.getLocalName();
                        if (name.equals("script") && scriptOf != null) {
                            if (written) {
                                return scriptOf;
                            }
                            scriptOf = null;
                        } else if (name.equals("event") && !events.isEmpty()) {
                            events.pop();
                        }
                    }
                    default -> {
                        // comments, processing instructions, white space outside scripts
                    }
                }
            }
        } catch (XMLStreamException | RuntimeException damaged) {
            // damaged or cut off at MAX_BYTES: a script already read was returned above
        } finally {
            OfficeXml.close(xml);
        }
        return scriptOf != null && written ? scriptOf : null;
    }

    /** XFA names a script's language by MIME type; without one it is FormCalc. */
    private static boolean javascript(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).contains("javascript");
    }
}
