package io.mamori.core.attachment;

import java.io.ByteArrayInputStream;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The text a reader sees in a Word document's main part ({@code word/document.xml}): its {@code w:t} runs, each followed
 * by a space, for telling a document from a "view document" button (a page with one link and little else). Read with
 * the hardened StAX parser ({@link OfficeXml}); damaged XML gives the text before the damage. Stateless.
 */
public final class OfficeText {

    private OfficeText() {
    }

    /** The text of a Word document's main part, as far as it can be read. */
    public static String of(byte[] documentXml) {
        StringBuilder text = new StringBuilder();
        XMLStreamReader xml = null;
        try {
            xml = OfficeXml.reader(new ByteArrayInputStream(documentXml));
            boolean inText = false;
            while (xml.hasNext()) {
                int event = xml.next();
                if (event == XMLStreamConstants.START_ELEMENT && xml.getLocalName().equals("t")) {
                    inText = true;
                } else if (event == XMLStreamConstants.END_ELEMENT && xml.getLocalName().equals("t")) {
                    inText = false;
                    text.append(' ');
                } else if (inText && (event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA
                        || event == XMLStreamConstants.SPACE)) {
                    text.append(xml.getText());
                }
            }
        } catch (XMLStreamException | RuntimeException damaged) {
            // what was read before the damage stands
        } finally {
            OfficeXml.close(xml);
        }
        return text.toString();
    }
}
