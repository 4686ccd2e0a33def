package io.mamori.core.attachment;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.poi.hpsf.ClassID;
import org.apache.poi.poifs.filesystem.DirectoryEntry;
import org.apache.poi.poifs.filesystem.DirectoryNode;
import org.apache.poi.poifs.filesystem.DocumentEntry;
import org.apache.poi.poifs.filesystem.Entry;
import org.apache.poi.poifs.filesystem.Ole10Native;
import org.apache.poi.poifs.filesystem.Ole10NativeException;
import org.apache.poi.poifs.filesystem.POIFSFileSystem;

/**
 * What an OLE2 compound file (legacy Office, Outlook .msg, Windows Installer) holds that matters here, read
 * with Apache POI's POIFS: a VBA project or Excel 4 macro sheet, encryption, an installer, a DDE field, and the files
 * embedded in it. Only the storage structure, a few header fields, Word's text stream and embedded objects are read,
 * never the rest of the document content. Stateless.
 */
final class OleInspection {

    /** Windows Installer package and patch root storage classes (msi.h: CLSID_MsiPackage, CLSID_MsiPatch). */
    private static final ClassID MSI = new ClassID("{000C1084-0000-0000-C000-000000000046}");
    private static final ClassID MSP = new ClassID("{000C1086-0000-0000-C000-000000000046}");
    private static final ClassID MST = new ClassID("{000C1082-0000-0000-C000-000000000046}");

    /**
     * [MS-PPT] 2.4.1 VBAInfoContainer (recVer 0xF, recInstance 1, type 0x03FF, length 0x14) followed by its
     * VBAInfoAtom (recVer 2, type 0x0400, length 0x0C): present exactly when the presentation has a VBA project.
     */
    private static final byte[] PPT_VBA_INFO = {0x1F, 0x00, (byte) 0xFF, 0x03, 0x14, 0, 0, 0, 0x02, 0x00, 0x00, 0x04, 0x0C, 0, 0, 0};

    /** Storage entries walked at most, against a crafted directory of millions of entries. */
    private static final int MAX_ENTRIES = 10_000;

    /** Objects embedded in one compound file taken at most (each is inspected as a file inside the document). */
    static final int MAX_EMBEDDED = 64;

    /**
     * What was found; {@code embedded} are the files embedded in the document (or in the OLE object it is), in storage
     * order, at most {@link #MAX_EMBEDDED}; {@code message}, the file is an Outlook message, whose attachments
     * {@link MapiAttachments} reads.
     */
    record Result(boolean macro, String macroKind, boolean encrypted, String installer, String dde,
            List<Embedded> embedded, boolean equationEditor, boolean message) {
    }

    /**
     * The class of Microsoft Equation Editor 3.0 (EQNEDT32.EXE, ProgID {@code Equation.3}): an object of this class makes
     * Office start that program, whose overflows CVE-2017-11882 and CVE-2018-0802 run an attacker's code; Microsoft
     * removed it from Office in January 2018. (MathType's objects, which also have an {@code Equation Native} stream,
     * have a class of their own.)
     */
    static final ClassID EQUATION_EDITOR = new ClassID("{0002CE02-0000-0000-C000-000000000046}");

    /**
     * A file embedded in a document: an OLE Package object (Windows' Object Packager, which Office shows as an icon
     * that opens the file with a double click: the way programs, scripts and shortcuts ride in documents), named by
     * the file name it carries ({@code C:\\Users\\x\\invoice.pdf.lnk}), or an Office Open XML document embedded as
     * an object (its {@code Package} stream; no name). {@code data} is the file, or {@code null} when the package
     * only links to a file on the recipient's disk (its name is still what runs) or could not be read.
     */
    record Embedded(String name, byte[] data) {
    }

    private OleInspection() {
    }

    static Result inspect(byte[] bytes) throws IOException {
        try (POIFSFileSystem fs = new POIFSFileSystem(new ByteArrayInputStream(bytes))) {
            DirectoryNode root = fs.getRoot();
            ClassID clsid = root.getStorageClsid();
            String installer = MSI.equals(clsid) ? "Windows Installer package (MSI)"
                    : MSP.equals(clsid) ? "Windows Installer patch (MSP)"
                    : MST.equals(clsid) ? "Windows Installer transform (MST)" : null;
            String workbook = root.hasEntry("Workbook") ? "Workbook" : root.hasEntry("Book") ? "Book" : null;
            Globals globals = workbook == null ? null : globals(root, workbook);
            boolean encrypted = encrypted(root, globals);
            String macro = null;
            boolean presentationVba = false;
            if (hasVbaProject(root, new int[] {0}, 0)) {
                macro = "VBA";
            } else if (root.hasEntry("PowerPoint Document") && contains(root, "PowerPoint Document", PPT_VBA_INFO)) {
                macro = "VBA";
                presentationVba = true;
            } else if (!encrypted && globals != null && globals.macroSheet()) {
                macro = "Excel 4 macro sheet";
            }
            String dde = encrypted ? null : root.hasEntry("WordDocument") ? wordDde(root)
                    : globals != null ? globals.dde() : null;
            List<Embedded> embedded = new ArrayList<>();
            boolean[] equation = {EQUATION_EDITOR.equals(clsid)};
            String[] embeddedDde = {null};
            if (!encrypted) {
                embedded(root, new int[] {0}, 0, embedded, equation, embeddedDde);
                if (dde == null) {
                    dde = embeddedDde[0];
                }
                if (root.hasEntry("PowerPoint Document")) {
                    presentationObjects(root, embedded, presentationVba);
                }
            }
            return new Result(macro != null, macro, encrypted, installer, dde, List.copyOf(embedded), equation[0],
                    MapiAttachments.isMessage(root));
        }
    }

    /**
     * The embedded objects of a storage and those below it: Word keeps them in {@code ObjectPool/_<id>}, Excel in
     * {@code MBD<id>} storages, an OOXML document's {@code oleObject<n>.bin} and an ODF document's {@code Object <n>} are
     * such an object themselves (root). PowerPoint 97–2003 keeps its objects compressed inside its document stream:
     * read by {@link #presentationObjects}. A Word document or Excel workbook embedded as a storage of its own (its
     * {@code WordDocument} or {@code Workbook} stream in the object's storage, not packaged as a file) is searched for
     * DDE in place, as the document itself is: the first instruction found goes to {@code dde[0]}.
     */
    private static void embedded(DirectoryEntry dir, int[] seen, int depth, List<Embedded> out, boolean[] equation,
            String[] dde) throws IOException {
        if (depth > 16) {
            return;
        }
        for (Iterator<Entry> it = dir.getEntries(); it.hasNext() && seen[0] < MAX_ENTRIES && out.size() < MAX_EMBEDDED; ) {
            Entry e = it.next();
            seen[0]++;
            if (e instanceof DirectoryEntry d) {
                equation[0] |= EQUATION_EDITOR.equals(d.getStorageClsid());
                if (dde[0] == null && d instanceof DirectoryNode node) {
                    dde[0] = embeddedDde(node);
                }
                embedded(d, seen, depth + 1, out, equation, dde);
            } else if (e.getName().equals(Ole10Native.OLE10_NATIVE) && dir instanceof DirectoryNode node) {
                out.add(packaged(node));
            } else if (e.getName().equals("Package") && e instanceof DocumentEntry doc) {
                try (InputStream in = new org.apache.poi.poifs.filesystem.DocumentInputStream(doc)) {
                    out.add(new Embedded(null, in.readAllBytes()));
                }
            }
        }
    }

    /** The DDE instruction of a Word document or workbook embedded as this storage, or {@code null}. */
    private static String embeddedDde(DirectoryNode storage) throws IOException {
        if (storage.hasEntry("WordDocument")) {
            return encrypted(storage, null) ? null : wordDde(storage);
        }
        String workbook = storage.hasEntry("Workbook") ? "Workbook" : storage.hasEntry("Book") ? "Book" : null;
        if (workbook == null || encrypted(storage, null)) {
            return null;
        }
        Globals globals = globals(storage, workbook);
        return globals == null ? null : globals.dde();
    }

    /**
     * An OLE Package object's file, read by POI; a package POI cannot read (the Packager's link form, which names a
     * file on the recipient's disk instead of carrying it, or a damaged one) still gives its name, read by hand from
     * the stream's start: its size (4 bytes), a type (2), then the label and the file name, each ending in a NUL.
     */
    private static Embedded packaged(DirectoryNode storage) throws IOException {
        Entry stream = storage.getEntry(Ole10Native.OLE10_NATIVE);
        try (InputStream in = new org.apache.poi.poifs.filesystem.DocumentInputStream((DocumentEntry) stream)) {
            return packaged(in.readAllBytes());
        }
    }

    /**
     * An OLE Package object's file from the bytes of its {@code &#92;u0001Ole10Native} stream, or of an RTF object's native
     * data with its 4-byte size before it (the same layout): see {@link #packaged(DirectoryNode)}. The name is the
     * Unicode file name newer Packagers add after the data, else the ANSI file name, else the label. The ANSI names,
     * and the data when POI does not find them, are read here: POI decodes those names as UTF-8, which turns the
     * Shift_JIS names of Japanese Windows into replacement characters, and it takes a package whose label starts with
     * a byte from 0x80 to 0x9F (a C1 control in Latin-1, but the lead byte of most kanji in Shift_JIS) for one without
     * names, and its header for data: a program named {@code 請求書.exe} would have had neither name nor content.
     */
    static Embedded packaged(byte[] stream) {
        Ole10Native pkg;
        try {
            pkg = new Ole10Native(stream, 0);
        } catch (Ole10NativeException | RuntimeException unreadable) {
            return packagerLayout(stream);
        }
        if (pkg.getFileName2() != null && !pkg.getFileName2().isBlank()) {
            return new Embedded(pkg.getFileName2(), pkg.getDataBuffer());
        }
        String poiName = pkg.getFileName() != null && !pkg.getFileName().isBlank() ? pkg.getFileName() : pkg.getLabel();
        if (poiName != null && !poiName.isBlank()) {
            // POI found the layout: its data, the names as the sender's Windows wrote them
            String name = ansiName(stream);
            return new Embedded(name != null && !name.isBlank() ? name : poiName, pkg.getDataBuffer());
        }
        // POI found no names (it took a Shift_JIS label for none): Packager's layout by hand, where it holds
        Embedded byHand = packagerLayout(stream);
        return byHand.name() != null && byHand.data() != null ? byHand : new Embedded(poiName, pkg.getDataBuffer());
    }

    /** Bytes of a package's head read for its names: the size, the type, and the label and file name at most. */
    private static byte[] head(byte[] stream) {
        return java.util.Arrays.copyOf(stream, Math.min(stream.length, 4 + 2 + 2 * MAX_PACKAGE_NAME));
    }

    /** The package's file name, else its label ({@link #ansi}), read by hand; {@code null} for neither. */
    private static String ansiName(byte[] stream) {
        byte[] head = head(stream);
        int labelEnd = nul(head, 6);
        return ansiName(head, labelEnd, labelEnd < 0 ? -1 : nul(head, labelEnd + 1));
    }

    /** The file name (up to {@code nameEnd}), else the label (up to {@code labelEnd}), of a package's head. */
    private static String ansiName(byte[] head, int labelEnd, int nameEnd) {
        return nameEnd > labelEnd + 1 ? ansi(head, labelEnd + 1, nameEnd) : labelEnd > 6 ? ansi(head, 6, labelEnd) : null;
    }

    /**
     * A package read by hand in Packager's layout: its size (4 bytes), type (2; 2 for an embedded file), the label
     * and the file name each ending in a NUL ({@link #ansiName}), two reserved shorts, the command's length (4) and
     * the command, the data's length (4) and the data. The data is {@code null} unless the type is 2 and every length
     * fits in the stream (the Packager's link form names a file on the reader's disk and carries none).
     */
    private static Embedded packagerLayout(byte[] stream) {
        byte[] head = head(stream);
        int labelEnd = nul(head, 6);
        int nameEnd = labelEnd < 0 ? -1 : nul(head, labelEnd + 1);
        String name = ansiName(head, labelEnd, nameEnd);
        if (nameEnd < 0 || stream.length < 6 || (stream[4] & 0xff | (stream[5] & 0xff) << 8) != 2) {
            return new Embedded(name, null);
        }
        long at = nameEnd + 1L + 4;
        long command = int32(stream, at);
        at += 4 + command;
        long length = command < 0 ? -1 : int32(stream, at);
        at += 4;
        if (length < 0 || at + length > stream.length) {
            return new Embedded(name, null);
        }
        return new Embedded(name, java.util.Arrays.copyOfRange(stream, (int) at, (int) (at + length)));
    }

    /** The little-endian 32-bit integer at {@code at}, or -1 when it is past the end or negative. */
    private static long int32(byte[] b, long at) {
        if (at < 0 || at + 4 > b.length) {
            return -1;
        }
        int i = (int) at;
        int v = b[i] & 0xff | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
        return v < 0 ? -1 : v;
    }

    /**
     * A package name Packager wrote in the sender's ANSI code page, which the stream does not record: ASCII as it is;
     * else UTF-8 if the bytes are that (as POI writes); else Shift_JIS as Japanese Windows writes it (CP932) if the
     * bytes are valid there; else Windows-1252. Japanese first, since this gateway's senders are mostly Japanese: a
     * Latin name with accents is usually invalid CP932 (an accented small letter is a lead byte whose next byte, a
     * dot or letter, is no trail byte), but one of capitals only can read as half-width katakana. The name is evidence
     * and its extension, which is ASCII, is what is judged, so a wrong guess only garbles what the analyst reads.
     */
    static String ansi(byte[] bytes, int from, int to) {
        boolean ascii = true;
        for (int i = from; i < to && ascii; i++) {
            ascii = bytes[i] >= 0;
        }
        if (ascii) {
            return new String(bytes, from, to - from, java.nio.charset.StandardCharsets.US_ASCII);
        }
        for (java.nio.charset.Charset charset : List.of(java.nio.charset.StandardCharsets.UTF_8, WINDOWS_31J_CHARSET)) {
            try {
                return charset.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes, from, to - from)).toString();
            } catch (java.nio.charset.CharacterCodingException notThis) {
                // the next guess
            }
        }
        return new String(bytes, from, to - from, WINDOWS_1252_CHARSET);
    }

    /** Bytes of the embedded objects of a presentation decompressed at most, all together. */
    static final int MAX_PRESENTATION_OBJECTS = 32 * 1024 * 1024;

    /**
     * The embedded objects of a PowerPoint 97–2003 presentation ([MS-PPT] 2.10.34 ExOleObjStg, record type 0x1011, in
     * the PowerPoint Document stream): each a compound file of its own, stored as it is (recInstance 0) or compressed
     * with zlib after its decompressed size (recInstance 1), handed over without a name (its Package, if it is one,
     * names the file; the presentation's VBA project, stored so as well, is left out when {@code vbaFound}).
     * Hand-written, from before Mamori shipped POI's scratchpad module (whose HSLF reads whole presentations); the
     * record headers ([MS-PPT] 2.3.1: version and instance, type, length) are walked in order, containers (version
     * 0xF) entered, atoms skipped.
     */
    private static void presentationObjects(DirectoryNode root, List<Embedded> out, boolean vbaFound)
            throws IOException {
        byte[] stream;
        try (InputStream in = root.createDocumentInputStream("PowerPoint Document")) {
            stream = in.readAllBytes();
        }
        int[] budget = {MAX_PRESENTATION_OBJECTS};
        for (int at = 0; at + 8 <= stream.length && out.size() < MAX_EMBEDDED && budget[0] > 0; ) {
            int verInstance = (stream[at] & 0xff) | (stream[at + 1] & 0xff) << 8;
            int type = (stream[at + 2] & 0xff) | (stream[at + 3] & 0xff) << 8;
            long length = (stream[at + 4] & 0xffL) | (stream[at + 5] & 0xffL) << 8 | (stream[at + 6] & 0xffL) << 16
                    | (stream[at + 7] & 0xffL) << 24;
            int body = at + 8;
            if ((verInstance & 0x0F) == 0x0F) {
                at = body; // a container: its children follow
                continue;
            }
            int end = (int) Math.min(stream.length, body + length);
            if (type == 0x1011 && end > body) {
                byte[] data = (verInstance >>> 4) == 1 ? inflate(stream, body + 4, end, budget)
                        : java.util.Arrays.copyOfRange(stream, body, end);
                if (data != null && data.length > 0 && !(vbaFound && vbaProject(data))) {
                    out.add(new Embedded(null, data));
                }
            }
            at = end;
        }
    }

    /**
     * Whether an object of a presentation is its VBA project (PowerPoint stores it as such an object too): left out
     * when the presentation's macros were found already, not to report them twice.
     */
    private static boolean vbaProject(byte[] data) {
        try (POIFSFileSystem fs = new POIFSFileSystem(new ByteArrayInputStream(data))) {
            return fs.getRoot().hasEntry("VBA") && fs.getRoot().getEntry("VBA") instanceof DirectoryEntry vba
                    && vba.hasEntry("dir");
        } catch (IOException | RuntimeException notOne) {
            return false;
        }
    }

    /** zlib data from {@code from} to {@code to}, at most {@code budget[0]} bytes (taken from it), or {@code null}. */
    private static byte[] inflate(byte[] b, int from, int to, int[] budget) {
        if (from >= to) {
            return null;
        }
        java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        try {
            inflater.setInput(b, from, to - from);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[16 * 1024];
            while (!inflater.finished() && out.size() < budget[0]) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                out.write(buf, 0, Math.min(n, budget[0] - out.size()));
            }
            budget[0] -= out.size();
            return out.toByteArray();
        } catch (java.util.zip.DataFormatException damaged) {
            return null;
        } finally {
            inflater.end();
        }
    }

    /** Bytes of a package's label or file name read by hand at most (Windows' MAX_PATH is 260). */
    private static final int MAX_PACKAGE_NAME = 1024;

    private static int nul(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Bytes of a Word document's text stream searched for fields at most. */
    static final int MAX_WORD_STREAM = 32 * 1024 * 1024;

    /**
     * The first DDE field of a Word 97–2003 document ({@code DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe"}),
     * or {@code null}. [MS-DOC] 2.8.25: a field is its begin character (0x13), its instruction, a separator (0x14) and
     * its end (0x15), in the document's text, which the WordDocument stream holds as 8-bit (Windows-1252) or UTF-16LE
     * pieces. Hand-written, from before Mamori shipped POI's scratchpad module (HWPF): the stream is searched for a
     * field begin followed by an instruction in either encoding, as oletools' msodde does; a piece table that cuts an
     * instruction in two is not followed.
     */
    private static String wordDde(DirectoryNode root) throws IOException {
        byte[] text;
        try (InputStream in = root.createDocumentInputStream("WordDocument")) {
            text = in.readNBytes(MAX_WORD_STREAM);
        }
        for (int i = 0; i < text.length; i++) {
            if (text[i] != 0x13) {
                continue;
            }
            boolean wide = i + 1 < text.length && text[i + 1] == 0;
            StringBuilder instruction = new StringBuilder();
            for (int j = i + (wide ? 2 : 1); j < text.length && instruction.length() < OfficeFields.MAX_INSTRUCTION;
                    j += wide ? 2 : 1) {
                int c = wide ? (j + 1 < text.length ? (text[j] & 0xff) | (text[j + 1] & 0xff) << 8 : 0x15) : text[j] & 0xff;
                if (c == 0x13 || c == 0x14 || c == 0x15 || c == 0) {
                    break;
                }
                instruction.append(wide ? (char) c : WINDOWS_1252[c]);
            }
            if (OfficeFields.isDde(instruction.toString())) {
                return instruction.toString().strip();
            }
        }
        return null;
    }

    private static final java.nio.charset.Charset WINDOWS_1252_CHARSET = java.nio.charset.Charset.forName("windows-1252");
    private static final java.nio.charset.Charset WINDOWS_31J_CHARSET = java.nio.charset.Charset.forName("windows-31j");

    /** The character of each 8-bit byte of Word's text (Windows-1252), decoded once. */
    private static final char[] WINDOWS_1252 = windows1252();

    private static char[] windows1252() {
        byte[] all = new byte[256];
        for (int b = 0; b < 256; b++) {
            all[b] = (byte) b;
        }
        // five bytes Windows-1252 leaves undefined decode to U+FFFD: still one character each
        return new String(all, WINDOWS_1252_CHARSET).toCharArray();
    }

    /** Office's own encryption, whatever the format (the password-protected files a scanner cannot read). */
    private static boolean encrypted(DirectoryNode root, Globals workbook) throws IOException {
        // [MS-OFFCRYPTO] 2.3.4: an encrypted OOXML file is an OLE2 file with these two streams.
        if (root.hasEntry("EncryptionInfo") && root.hasEntry("EncryptedPackage")) {
            return true;
        }
        // [MS-PPT] 2.3.7: an encrypted presentation has the EncryptedSummary stream.
        if (root.hasEntry("EncryptedSummary")) {
            return true;
        }
        // [MS-DOC] 2.5.2 FibBase: flags at offset 0x0A, fEncrypted = 0x0100 (also set for XOR obfuscation).
        if (root.hasEntry("WordDocument")) {
            byte[] fib = head(root, "WordDocument", 12);
            if (fib.length >= 12 && (((fib[10] & 0xff) | (fib[11] & 0xff) << 8) & 0x0100) != 0) {
                return true;
            }
        }
        return workbook != null && workbook.filePass();
    }

    /**
     * What a workbook's globals say: {@code filePass}, it asks its reader for a password (it is not encrypted with
     * Excel's default one); {@code macroSheet}, it has an Excel 4 macro sheet; {@code dde}, its first DDE or OLE link
     * ({@code cmd /c calc.exe}), or {@code null}.
     */
    private record Globals(boolean filePass, boolean macroSheet, String dde) {
    }

    /**
     * Excel's default password, which Excel tries itself and opens the workbook with, without asking: it encrypts a
     * workbook whose structure is protected without an opening password, and malware uses it to hide a workbook's
     * content from scanners that take any encrypted file as unreadable ([MS-OFFCRYPTO] 2.3.6; POI's
     * {@code Decryptor.DEFAULT_PASSWORD}).
     */
    static final String DEFAULT_PASSWORD = org.apache.poi.poifs.crypt.Decryptor.DEFAULT_PASSWORD;

    /**
     * The workbook globals' FILEPASS and macro sheets ({@link #biffGlobals}); a workbook encrypted with Excel's default
     * password ({@link #DEFAULT_PASSWORD}) is read decrypted, by POI's record reader, and is not encrypted for this.
     */
    private static Globals globals(DirectoryNode root, String name) throws IOException {
        Globals plain = biffGlobals(root, name);
        if (!plain.filePass) {
            return plain;
        }
        Globals decrypted = decryptedGlobals(root, name);
        return decrypted == null ? plain : decrypted;
    }

    /**
     * The globals of a workbook encrypted with Excel's default password (its records are encrypted but for a few
     * fields), or {@code null} when the default password does not open it. POI's record reader decrypts with the
     * default password when none is set for the thread (Mamori never sets one).
     */
    private static Globals decryptedGlobals(DirectoryNode root, String name) throws IOException {
        boolean macroSheet = false;
        String dde = null;
        try (InputStream in = root.createDocumentInputStream(name)) {
            org.apache.poi.hssf.record.RecordFactoryInputStream records =
                    new org.apache.poi.hssf.record.RecordFactoryInputStream(in, false);
            for (int n = 0; n < 100_000; n++) {
                org.apache.poi.hssf.record.Record r = records.nextRecord();
                if (r == null || r instanceof org.apache.poi.hssf.record.EOFRecord) {
                    break;
                }
                if (r instanceof org.apache.poi.hssf.record.BoundSheetRecord
                        || r instanceof org.apache.poi.hssf.record.SupBookRecord) {
                    // the record as it is in the file, decrypted: its header (4 bytes), then its body
                    byte[] record = r.serialize();
                    byte[] body = java.util.Arrays.copyOfRange(record, 4, record.length);
                    macroSheet |= r instanceof org.apache.poi.hssf.record.BoundSheetRecord && macroSheet(body);
                    if (dde == null && r instanceof org.apache.poi.hssf.record.SupBookRecord) {
                        dde = supBookLink(body);
                    }
                }
            }
            return new Globals(false, macroSheet, dde);
        } catch (org.apache.poi.EncryptedDocumentException wrongPassword) {
            return null;
        } catch (RuntimeException damaged) {
            return null;
        }
    }

    /** [MS-XLS] 2.4.28 BoundSheet8: lbPlyPos (4 bytes), hsState (1), dt (1): 1 is a macro sheet. */
    private static boolean macroSheet(byte[] body) {
        return body.length >= 6 && body[5] == 0x01;
    }

    /**
     * A DDE or OLE link of a workbook, as Excel starts it ({@code cmd /c calc.exe}), from a SupBook record ([MS-XLS]
     * 2.4.271: ctab (2 bytes), cch (2), then virtPath, an XLUnicodeStringNoCch of cch characters: a flag byte, 0x01
     * for UTF-16LE, else 8-bit): a virtPath holding 0x0003 names a DDE server and topic, or an OLE class and file
     * (cch 0x0401 and 0x3A01 are the workbook itself and add-ins), as oletools' msodde reads it; else {@code null}.
     */
    private static String supBookLink(byte[] body) {
        if (body.length < 5) {
            return null;
        }
        int cch = (body[2] & 0xff) | (body[3] & 0xff) << 8;
        if (cch == 0x0401 || cch == 0x3A01) {
            return null;
        }
        boolean wide = (body[4] & 0x01) != 0;
        StringBuilder path = new StringBuilder();
        for (int i = 0, at = 5; i < cch && at + (wide ? 1 : 0) < body.length; i++, at += wide ? 2 : 1) {
            path.append(wide ? (char) ((body[at] & 0xff) | (body[at + 1] & 0xff) << 8) : WINDOWS_1252[body[at] & 0xff]);
        }
        String p = path.toString();
        return p.indexOf(3) > 0 ? p.replace((char) 3, ' ').strip() : null;
    }

    /**
     * Walks the records of the workbook globals substream ([MS-XLS] 2.1.4: type and size, 2 bytes each) up to
     * its EOF: FILEPASS (0x002F) means the workbook is encrypted; BOUNDSHEET8 (0x0085) with dt = 1 is an
     * Excel 4 macro sheet ([MS-XLS] 2.4.28); SUPBOOK (0x01AE) may be a DDE link ({@link #supBookLink}).
     */
    private static Globals biffGlobals(DirectoryNode root, String name) throws IOException {
        boolean macroSheet = false;
        String dde = null;
        try (InputStream in = root.createDocumentInputStream(name)) {
            byte[] header = new byte[4];
            for (int records = 0; records < 100_000; records++) {
                if (in.readNBytes(header, 0, 4) < 4) {
                    break;
                }
                int type = (header[0] & 0xff) | (header[1] & 0xff) << 8;
                int size = (header[2] & 0xff) | (header[3] & 0xff) << 8;
                if (type == 0x002F) {
                    return new Globals(true, macroSheet, dde);
                }
                if (type == 0x0085 || type == 0x01AE) {
                    byte[] body = in.readNBytes(size);
                    macroSheet |= type == 0x0085 && macroSheet(body);
                    if (dde == null && type == 0x01AE) {
                        dde = supBookLink(body);
                    }
                    continue;
                }
                if (type == 0x000A) {
                    break;
                }
                if (in.skip(size) < size) {
                    break;
                }
            }
        }
        return new Globals(false, macroSheet, dde);
    }

    /**
     * A VBA project ([MS-OVBA] 2.2.1): a storage named {@code VBA} holding a {@code dir} stream, wherever it
     * sits (Word: Macros/VBA, Excel: _VBA_PROJECT_CUR/VBA, or the root of an OOXML vbaProject.bin).
     */
    private static boolean hasVbaProject(DirectoryEntry dir, int[] seen, int depth) {
        if (depth > 16) {
            return false;
        }
        for (Iterator<Entry> it = dir.getEntries(); it.hasNext() && seen[0] < MAX_ENTRIES; ) {
            Entry e = it.next();
            seen[0]++;
            if (e instanceof DirectoryEntry d) {
                if (d.getName().toUpperCase(Locale.ROOT).equals("VBA") && d.hasEntry("dir")) {
                    return true;
                }
                if (hasVbaProject(d, seen, depth + 1)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] head(DirectoryNode root, String stream, int n) throws IOException {
        try (InputStream in = root.createDocumentInputStream(stream)) {
            return in.readNBytes(n);
        }
    }

    private static boolean contains(DirectoryNode root, String stream, byte[] pattern) throws IOException {
        Entry e = root.getEntry(stream);
        if (!(e instanceof DocumentEntry)) {
            return false;
        }
        try (InputStream in = root.createDocumentInputStream(stream)) {
            byte[] data = in.readAllBytes();
            outer:
            for (int i = 0; i + pattern.length <= data.length; i++) {
                for (int j = 0; j < pattern.length; j++) {
                    if (data[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return true;
            }
        }
        return false;
    }
}
