package io.mamori.core.attachment;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Optional;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Dynamic Data Exchange in Office Open XML documents: a Word field {@code DDE} or {@code DDEAUTO} (ECMA-376 Part 1
 * §17.16), or an Excel DDE link ({@code <ddeLink ddeService="cmd" ddeTopic="/c calc.exe">}, §18.14.4), which start a
 * program of the sender's choosing when the document is opened or its links are updated: macro-less code execution
 * as spread in 2017 (oletools' {@code msodde} finds the same).
 *
 * <p>Hand-written over StAX ({@link OfficeXml}): Apache POI's XWPF would need {@code poi-ooxml} and XMLBeans' full
 * schemas for what is one pass over the field characters. A Word field's instruction is the text of its
 * {@code w:instrText} runs between {@code w:fldChar} begin and separate (or end), or a {@code w:fldSimple}'s
 * {@code w:instr}; fields nest, and a nested {@code QUOTE} field of character codes ({@code QUOTE 68 68 69}, "DDE")
 * stands in its parent's instruction for the characters it makes, as Word evaluates it, the way DDE instructions were
 * hidden from keyword filters. Bounded: at most {@value #MAX_PARSED_BYTES} bytes of a part parsed (the rest is left to the
 * caller), the first {@value #PREFILTER_BYTES} bytes of a part held, at most
 * {@value #MAX_INSTRUCTION} characters of an instruction kept, fields nested at most {@value #MAX_DEPTH} deep), one
 * pass. Stateless.
 */
final class OfficeFields {

    static final int MAX_INSTRUCTION = 4096;
    static final int MAX_DEPTH = 32;
    /**
     * A part up to this size is first searched for the names a DDE field or link needs ({@code instr} of
     * {@code w:instrText} and {@code w:instr}, {@code ddeLink}; XML names cannot be written with character references)
     * and parsed only when one is there: most documents have no field at all, and parsing costs by the byte. A larger
     * part is parsed as it streams.
     */
    static final int PREFILTER_BYTES = 2 * 1024 * 1024;
    /**
     * Bytes of one part parsed at most: parsing costs about 20–40 ms a megabyte, and a document's part may expand to
     * the archive limits' 200 MiB from a small attachment; a field after this much text is not found.
     */
    static final long MAX_PARSED_BYTES = 32L * 1024 * 1024;
    private static final byte[] INSTR = "instr".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] DDE_LINK = "ddeLink".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static final String WORD_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    private static final String WORD_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main";
    /** Word 2003's XML document format (WordprocessingML 2003), which has the same field elements. */
    private static final String WORD_2003 = "http://schemas.microsoft.com/office/word/2003/wordml";
    /** Excel 2003's XML spreadsheet format (SpreadsheetML 2003): a cell's formula is its {@code ss:Formula}. */
    private static final String SPREADSHEET_2003 = "urn:schemas-microsoft-com:office:spreadsheet";

    private OfficeFields() {
    }

    /**
     * Whether an Office Open XML part (its name in lower case) may hold Word fields (the document, its headers,
     * footers, notes, comments and glossary) or an Excel DDE link.
     */
    static boolean mayHoldDde(String lowerName) {
        if (lowerName.startsWith("xl/externallinks/") && lowerName.endsWith(".xml")) {
            return true;
        }
        if (!lowerName.startsWith("word/") || !lowerName.endsWith(".xml")) {
            return false;
        }
        String name = lowerName.substring(lowerName.lastIndexOf('/') + 1);
        return name.startsWith("document") || name.startsWith("header") || name.startsWith("footer")
                || name.startsWith("footnotes") || name.startsWith("endnotes") || name.startsWith("comments");
    }

    /**
     * The first DDE instruction of a part ({@code DDEAUTO c:\windows\system32\cmd.exe "/k calc.exe"}, or
     * {@code cmd|/c calc.exe} for an Excel link), or empty. Damaged XML ends the search with what was found before it.
     *
     * @throws IOException what reading {@code in} itself threw (never the XML's damage)
     */
    static Optional<String> dde(InputStream in) throws IOException {
        byte[] head = in.readNBytes(PREFILTER_BYTES);
        boolean whole = head.length < PREFILTER_BYTES;
        if (whole && !namesAField(head)) {
            return Optional.empty();
        }
        InputStream all = new java.io.ByteArrayInputStream(head);
        OfficeXml.Watched watched = new OfficeXml.Watched(whole ? all : new java.io.SequenceInputStream(all, in));
        XMLStreamReader xml = null;
        Optional<String> found = Optional.empty();
        try {
            xml = OfficeXml.reader(watched);
            found = search(xml, watched);
        } catch (XMLStreamException | RuntimeException damaged) {
            // the JDK's parser throws some runtime exceptions on malformed input; the input's own failure is
            // passed on below
        } finally {
            OfficeXml.close(xml);
        }
        watched.rethrow();
        return found;
    }

    private static Optional<String> search(XMLStreamReader xml, OfficeXml.Watched input) throws XMLStreamException {
        // the instructions of the fields open at this point, innermost last
        Deque<Field> open = new ArrayDeque<>();
        boolean inInstruction = false;
        while (xml.hasNext()) {
            int event = xml.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                if (input.bytesRead() > MAX_PARSED_BYTES) {
                    break;
                }
                String name = xml.getLocalName();
                String namespace = xml.getNamespaceURI();
                boolean word = WORD_MAIN.equals(namespace) || WORD_STRICT.equals(namespace) || WORD_2003.equals(namespace);
                if (name.equals("Cell") && SPREADSHEET_2003.equals(namespace)) {
                    String formula = xml.getAttributeValue(SPREADSHEET_2003, "Formula");
                    Optional<String> dde = formula == null ? Optional.empty() : csvDde(formula);
                    if (dde.isPresent()) {
                        return dde;
                    }
                } else if (name.equals("ddeLink")) {
                    String service = xml.getAttributeValue(null, "ddeService");
                    String topic = xml.getAttributeValue(null, "ddeTopic");
                    return Optional.of((service == null ? "" : service) + "|" + (topic == null ? "" : topic));
                } else if (word && name.equals("fldSimple")) {
                    String instruction = attribute(xml, "instr");
                    if (instruction != null && isDde(instruction)) {
                        return Optional.of(instruction.strip());
                    }
                } else if (word && name.equals("fldChar")) {
                    String type = attribute(xml, "fldCharType");
                    if ("begin".equals(type)) {
                        if (open.size() >= MAX_DEPTH) {
                            return Optional.empty();
                        }
                        open.push(new Field());
                    } else if ("separate".equals(type) && !open.isEmpty()) {
                        open.peek().instructionEnded = true;
                    } else if ("end".equals(type) && !open.isEmpty()) {
                        Field field = open.pop();
                        String instruction = field.instruction.toString();
                        if (isDde(instruction)) {
                            return Optional.of(instruction.strip());
                        }
                        if (!open.isEmpty() && !open.peek().instructionEnded) {
                            // a nested field stands in its parent's instruction for what it makes: a QUOTE of
                            // character codes for those characters
                            open.peek().append(quoted(instruction));
                        }
                    }
                } else if (word && name.equals("instrText")) {
                    inInstruction = true;
                }
            } else if (event == XMLStreamConstants.END_ELEMENT && xml.getLocalName().equals("instrText")) {
                inInstruction = false;
            } else if (inInstruction && (event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA
                    || event == XMLStreamConstants.SPACE) && !open.isEmpty() && !open.peek().instructionEnded) {
                open.peek().append(xml.getText());
            }
        }
        // fields left open at the end: Word evaluates what it read
        for (Field field : open) {
            if (isDde(field.instruction.toString())) {
                return Optional.of(field.instruction.toString().strip());
            }
        }
        return Optional.empty();
    }

    /**
     * A DDE formula in a cell of comma- or tab-separated text, which Excel evaluates when it opens the file
     * ({@code =cmd|'/c calc.exe'!A0}, "CSV injection"): a cell starting with {@code = + - @} and holding
     * {@code service|topic!item}, the topic quoted or not, after anything else ({@code -2+3+cmd|' /C calc'!A0}). The
     * service name is possessive and follows the cell's start or a character that is none of a name's: a cell of
     * letters is tried once, not once per letter (no catastrophic backtracking on a crafted file).
     */
    private static final java.util.regex.Pattern CSV_DDE = java.util.regex.Pattern.compile(
            "(?:^|[,;\\t\"])[ \\t]*[=+\\-@](?:[^,;\\t\\r\\n\"|]{0,200}?[^A-Za-z0-9_.,;\\t\\r\\n\"|])?"
                    + "([A-Za-z0-9_.]{1,64}+)[ \\t]*\\|[ \\t]*"
                    + "(?:'([^'\\r\\n]{0,500})'|([^!'\\r\\n,;\"]{1,500}))[ \\t]*!", java.util.regex.Pattern.MULTILINE);

    /** The first DDE formula of a CSV file's text ({@code cmd|/c calc.exe}), or empty. */
    static Optional<String> csvDde(String text) {
        java.util.regex.Matcher m = CSV_DDE.matcher(text);
        if (!m.find()) {
            return Optional.empty();
        }
        String topic = m.group(2) != null ? m.group(2) : m.group(3).strip();
        return Optional.of(m.group(1) + "|" + topic);
    }

    /**
     * The DDE link of an Excel binary workbook's external link part ({@code xl/externalLinks/*.bin} of an
     * {@code .xlsb}), as {@code service|topic} ({@code cmd|/c calc.exe}), or empty, as an {@code .xlsx}'s
     * {@code ddeLink}. [MS-XLSB] 2.1.4: records of a type and a size, each a variable-length integer (7 bits a byte,
     * the high bit for "more"); 2.4.158 BrtBeginSupBook (type 360): sbt (2 bytes: 1 a DDE link; 2, an OLE link, is
     * the document's relationship to its source, read with the relationships), then the server and the topic, each an
     * XLWideString (a 4-byte count of UTF-16LE characters, then those). Hand-written: POI does not read .xlsb
     * external links.
     */
    static Optional<String> xlsbDde(byte[] part) {
        int at = 0;
        for (int records = 0; records < 10_000 && at < part.length; records++) {
            long[] type = varint(part, at, 2);
            if (type == null) {
                break;
            }
            long[] size = varint(part, (int) type[1], 4);
            if (size == null) {
                break;
            }
            int body = (int) size[1];
            int end = (int) Math.min(part.length, body + size[0]);
            if (type[0] == 360 && end - body >= 2) {
                int sbt = (part[body] & 0xff) | (part[body + 1] & 0xff) << 8;
                if (sbt == 1) {
                    int[] cursor = {body + 2};
                    String server = wideString(part, cursor, end);
                    String topic = server == null ? null : wideString(part, cursor, end);
                    if (server != null) {
                        return Optional.of(server + "|" + (topic == null ? "" : topic));
                    }
                }
            }
            at = end;
        }
        return Optional.empty();
    }

    /** A BIFF12 variable-length integer of at most {@code bytes} bytes at {@code at}: {value, offset after}. */
    private static long[] varint(byte[] b, int at, int bytes) {
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            if (at + i >= b.length) {
                return null;
            }
            value |= (long) (b[at + i] & 0x7f) << (7 * i);
            if ((b[at + i] & 0x80) == 0) {
                return new long[] {value, at + i + 1};
            }
        }
        return null;
    }

    private static String wideString(byte[] b, int[] cursor, int end) {
        int at = cursor[0];
        if (at + 4 > end) {
            return null;
        }
        long count = (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
        if (count > MAX_INSTRUCTION || at + 4 + 2 * count > end) {
            return null;
        }
        StringBuilder s = new StringBuilder((int) count);
        for (int i = 0; i < count; i++) {
            int p = at + 4 + 2 * i;
            s.append((char) ((b[p] & 0xff) | (b[p + 1] & 0xff) << 8));
        }
        cursor[0] = at + 4 + 2 * (int) count;
        return s.toString();
    }

    /**
     * The first DDE instruction of a document in one of Office's flat XML formats ({@link #flatXml}): Word 2003 XML and
     * Word's flat OPC package (fields as in a .docx), or Excel 2003 XML (a cell formula {@code =cmd|'/c calc.exe'!A1});
     * the whole text is parsed (up to {@link #MAX_PARSED_BYTES}), without the prefilter for parts.
     */
    static Optional<String> flatXmlDde(byte[] xml) throws IOException {
        OfficeXml.Watched watched = new OfficeXml.Watched(new java.io.ByteArrayInputStream(xml));
        XMLStreamReader reader = null;
        try {
            reader = OfficeXml.reader(watched);
            return search(reader, watched);
        } catch (XMLStreamException | RuntimeException damaged) {
            return Optional.empty();
        } finally {
            OfficeXml.close(reader);
        }
    }

    /**
     * Whether a text is an Office document in a flat XML format, which Word or Excel opens whatever its name
     * ({@code .xml}, or {@code .doc} on a disguise): the {@code <?mso-application progid="Word.Document"?>} or
     * {@code "Excel.Sheet"} instruction near its start.
     */
    static boolean flatXml(byte[] head, int n) {
        // most texts (every text body among them) are told by their first character: XML starts with '<', after a
        // UTF-8 byte order mark or white space
        int first = n >= 3 && (head[0] & 0xff) == 0xEF && (head[1] & 0xff) == 0xBB && (head[2] & 0xff) == 0xBF ? 3 : 0;
        while (first < n && (head[first] == ' ' || head[first] == '\t' || head[first] == '\r' || head[first] == '\n')) {
            first++;
        }
        if (first >= n || head[first] != '<') {
            return false;
        }
        String text = new String(head, 0, Math.min(n, 1024), java.nio.charset.StandardCharsets.ISO_8859_1);
        int pi = text.indexOf("<?mso-application");
        return pi >= 0 && (text.indexOf("Word.Document", pi) > 0 || text.indexOf("Excel.Sheet", pi) > 0);
    }

    /** Whether {@code data} holds {@code instr} or {@code ddeLink}, in one pass. */
    static boolean namesAField(byte[] data) {
        for (int i = 0, n = data.length; i < n; i++) {
            byte b = data[i];
            if ((b == 'i' && FileSignatures.startsAt(data, i, INSTR))
                    || (b == 'd' && FileSignatures.startsAt(data, i, DDE_LINK))) {
                return true;
            }
        }
        return false;
    }

    /** A Word attribute, in either namespace Word writes ({@code w:instr}), or none. */
    private static String attribute(XMLStreamReader xml, String name) {
        String value = xml.getAttributeValue(WORD_MAIN, name);
        if (value == null) {
            value = xml.getAttributeValue(WORD_STRICT, name);
        }
        if (value == null) {
            value = xml.getAttributeValue(WORD_2003, name);
        }
        return value;
    }

    /** Whether a field instruction is a DDE field: its first word {@code DDE} or {@code DDEAUTO}, in any case. */
    static boolean isDde(String instruction) {
        String s = instruction.strip();
        int end = 0;
        while (end < s.length() && !Character.isWhitespace(s.charAt(end)) && s.charAt(end) != '"') {
            end++;
        }
        String keyword = s.substring(0, end).toUpperCase(Locale.ROOT);
        return keyword.equals("DDE") || keyword.equals("DDEAUTO");
    }

    /**
     * What a nested field gives its parent's instruction: for {@code QUOTE} followed by decimal character codes, those
     * characters; nothing otherwise (its result is not known without evaluating it).
     */
    static String quoted(String instruction) {
        String[] words = instruction.strip().split("\\s+");
        if (words.length < 2 || !words[0].equalsIgnoreCase("QUOTE")) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < words.length; i++) {
            String w = words[i];
            if (w.isEmpty() || w.length() > 5 || !w.chars().allMatch(Character::isDigit)) {
                return "";
            }
            int code = Integer.parseInt(w);
            if (code == 0 || code > 0xFFFF) {
                return "";
            }
            out.append((char) code);
        }
        return out.toString();
    }

    /** One Word field being read: its instruction so far, cut at {@value #MAX_INSTRUCTION} characters. */
    private static final class Field {
        final StringBuilder instruction = new StringBuilder();
        boolean instructionEnded;

        void append(String text) {
            int room = MAX_INSTRUCTION - instruction.length();
            if (room > 0) {
                instruction.append(text, 0, Math.min(room, text.length()));
            }
        }
    }
}
