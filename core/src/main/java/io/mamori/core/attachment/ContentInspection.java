package io.mamori.core.attachment;

import io.mamori.core.analysis.Finding;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.commons.compress.PasswordRequiredException;
import org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry;
import org.apache.commons.compress.archivers.sevenz.SevenZFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;

/**
 * One message's look inside its files: confined to one analyzer call, it carries the per-message budgets of
 * {@link ArchiveLimits} and collects the findings. Files are streamed: archives are read entry by entry from
 * their parent's stream; only OLE2 documents, PDFs and 7z archives, which need random access, are held in
 * memory, each at most {@link ArchiveLimits#maxBufferBytes()}. An inspection may take the HTML pages inside archives
 * on its way ({@link Pages}), for {@link HtmlAttachmentAnalyzer}, so that the archives are not walked a second time.
 */
final class ContentInspection {

    static final String TYPE_MISMATCH = "ATTACHMENT_TYPE_MISMATCH";
    static final String EXECUTABLE_CONTENT = "ATTACHMENT_EXECUTABLE_CONTENT";
    static final String OFFICE_MACRO = "OFFICE_MACRO";
    static final String RTF_DISGUISED = "RTF_DISGUISED";
    /** An Office document that loads a template, OLE object or frame from a network address when opened. */
    static final String REMOTE_CONTENT = "OFFICE_REMOTE_CONTENT";
    /** An Office document with a DDE field or link, which starts a program ({@link OfficeFields}). */
    static final String DDE = "OFFICE_DDE";
    /**
     * An Office document or RTF file with an object for Microsoft Equation Editor 3.0 ({@link OleInspection#EQUATION_EDITOR}),
     * the carrier of the CVE-2017-11882 and CVE-2018-0802 exploits.
     */
    static final String EQUATION_EDITOR = "OFFICE_EQUATION_EDITOR";
    /** A PDF with JavaScript that runs without the reader asking for it ({@link PdfInspection}). */
    static final String PDF_JAVASCRIPT = "PDF_JAVASCRIPT";
    /** A PDF with a Launch action, which starts a program or opens a file ({@link PdfInspection}). */
    static final String PDF_LAUNCH = "PDF_LAUNCH_ACTION";
    /**
     * Bytes at the start of an RTF file searched for its template (document information comes first), or of a CSV file
     * for DDE formulas.
     */
    static final int MAX_SEARCHED_TEXT_BYTES = 1024 * 1024;
    /** Bytes of a Word or Excel part searched for DDE in a zip not yet known to be a document (content types last). */
    static final int MAX_DDE_PART_BYTES = 8 * 1024 * 1024;
    static final String ARCHIVE_BOMB = "ARCHIVE_BOMB";
    static final String ARCHIVE_TOO_DEEP = "ARCHIVE_TOO_DEEP";
    static final String ENCRYPTED = "ENCRYPTED_ARCHIVE";
    static final String NOT_INSPECTED = "ATTACHMENT_NOT_INSPECTED";
    static final String PASSWORD_IN_MESSAGE = "ARCHIVE_PASSWORD_IN_MESSAGE";
    /** An encrypted attachment a password given by mail opened; it replaces {@link #ENCRYPTED} for that attachment. */
    static final String OPENED = "ENCRYPTED_ARCHIVE_OPENED";
    static final String PASSWORD_SENT_SEPARATELY = "ARCHIVE_PASSWORD_SENT_SEPARATELY";
    static final String PASSWORD_FROM_ANALYST = "ARCHIVE_PASSWORD_FROM_ANALYST";

    /** An entry must expand past this before its ratio counts: small, very compressible files are normal. */
    static final long RATIO_FLOOR = 1024 * 1024;
    /**
     * The most decrypted bytes of attachments that passwords opened an inspection keeps for the antivirus and link
     * analyzers ({@link #opener}), per message; what is past it they decrypt again.
     */
    static final long MAX_KEPT_BYTES = 8L * 1024 * 1024;
    /** Characters of a remote target or a field instruction shown in evidence at most. */
    private static final int MAX_TARGET_SHOWN = 200;
    /** How much further than an archive an Office document's parts may go (entries and ratio). */
    static final int DOCUMENT_FACTOR = 10;

    /** The kinds of content compared with what a file's name promises. */
    enum Kind { EXECUTABLE, PDF, OLE2, ZIP, RTF, IMAGE, ARCHIVE, HTML, TEXT, OFFICE, UNKNOWN }

    private static final Map<String, Kind> NAMED = names();

    /**
     * Tika's type table, read on first use (holder idiom): reading it parses Tika's XML of all its types and magic
     * signatures, tens of milliseconds of an offline command's start-up, while our signatures decide most files
     * without it.
     */
    private static final class TikaTypes {
        static final MimeTypes TYPES = MimeTypes.getDefaultMimeTypes();
    }

    private final ArchiveLimits limits;
    private final Set<Finding> findings = new LinkedHashSet<>();
    private int entries;
    private long expanded;
    private int documentEntries;
    private long documentExpanded;
    /** The MIME part being inspected, e.g. {@code 2} or {@code 1.3}; {@code null} when not known. */
    private String partPath;
    /** For a walk that hands the files inside archives to {@link ArchiveContents}; {@code null} for inspection. */
    private final Sink sink;
    /** Unpacks compressed RAR archives; {@code null} for the system's ({@link RarUnpacker#system()}). */
    private RarUnpacker unpacker;
    /**
     * How the attachment about to be inspected is read again; {@code null} when it cannot be, and once its inspection
     * ({@link #file}) took it.
     */
    private Reopen reopen;

    ContentInspection(ArchiveLimits limits) {
        this(limits, null);
    }

    ContentInspection(ArchiveLimits limits, Sink sink) {
        this.limits = limits;
        this.sink = sink;
    }

    /**
     * Takes the files of some types found inside archives, instead of (not besides) inspecting them: the walk that
     * feeds one is for other analyzers, and its findings are thrown away ({@link AttachmentContentAnalyzer} makes
     * its own walk for those).
     */
    interface Sink {
        /** The most bytes of one file of this type to hand over; 0 when the type is not wanted. */
        int wanted(ArchiveContents.Type type);

        /**
         * One file inside an archive.
         *
         * @param complete whether {@code bytes} is the whole file (or its first {@link #wanted} bytes)
         * @return whether to go on walking
         */
        boolean take(String path, ArchiveContents.Type type, byte[] bytes, boolean complete);

        /** Whether the sink's time is up: the walk ends at the next entry or read. */
        boolean expired();
    }

    /**
     * In an inspection (not a {@link Sink}'s walk), where the HTML pages inside archives go as well, for
     * {@link HtmlAttachmentAnalyzer}: the same files, read the same way, as a walk for {@link ArchiveContents.Type#HTML}
     * would hand over, without a second walk through the archive. The inspection goes on as before with each.
     */
    interface Pages {
        /** The most bytes of the next page to take; 0 once no more are wanted. */
        int wanted();

        /** One page inside an archive: its first {@link #wanted} bytes, {@code complete} if that is all of it. */
        void take(String path, byte[] bytes, boolean complete);
    }

    private boolean linkSourcesInside;
    /** Whether the attachment last inspected is a zip archive with encrypted entries (not an Office document). */
    private boolean encryptedZip;
    /**
     * How the attachment last inspected, an encrypted Office document, zip or 7z archive that a password opened, is
     * had again ({@link #keepOpener}); {@code null} for none.
     */
    private ArchivePasswords.Opener opener;
    /** Decrypted bytes kept so far in this inspection. */
    private long keptBytes;
    /** The passwords the message gives ({@link ArchivePasswords}), asked for only when something is encrypted. */
    private java.util.function.Supplier<ArchivePasswords.Candidates> passwords =
            () -> new ArchivePasswords.Candidates(List.of(), null);
    /** Encrypted Office documents tried with those passwords (each try costs up to 100,000 hash rounds). */
    private int documentsTried;
    /** Encrypted Office documents tried with Excel's default password ({@link OleInspection#DEFAULT_PASSWORD}). */
    private int defaultsTried;
    /** Encrypted 7z attachments tried with those passwords (each try costs 2^19 hash rounds or fewer a folder). */
    private int sevenZipsTried;
    /** Whether a RAR archive was met inside another archive. */
    private boolean rarInside;
    /** Whether a zip entry compressed with Zstandard was met, in an attachment or an archive inside one. */
    private boolean zstdInside;
    /** Whether the attachment being inspected is one a walk for pages opens: a zip, 7z, gzip, tar or RAR file. */
    private boolean pagesHere;
    /** Where pages go in an inspection; {@code null} for none. */
    private Pages pages;
    /** A page inside an archive whose rest the caller's drain of its entry reads; {@code null} for none. */
    private PendingPage pendingPage;

    /** A page being read by the drain of its entry, after its head. */
    private final class PendingPage {
        private final String path;
        private final byte[] bytes;
        private int length;

        PendingPage(String path, byte[] head, int n, int max) {
            this.path = path;
            this.bytes = new byte[max];
            System.arraycopy(head, 0, bytes, 0, n);
            this.length = n;
        }

        /**
         * The next bytes drained; whether more are wanted (the page was handed over once a byte past its first
         * {@code max} came).
         */
        boolean more(byte[] b, int n) {
            int kept = Math.min(n, bytes.length - length);
            System.arraycopy(b, 0, bytes, length, kept);
            length += kept;
            if (kept < n) {
                pages.take(path, bytes, false);
                return false;
            }
            return true;
        }

        /** The entry ended: the page is all of it. */
        void end() {
            pages.take(path, java.util.Arrays.copyOf(bytes, length), true);
        }
    }

    /** Unpacks compressed RAR archives with {@code unpacker} instead of the system's ({@link RarUnpacker#NONE}: none). */
    void unpackRarWith(RarUnpacker unpacker) {
        this.unpacker = unpacker;
    }

    /** Whether the attachment last inspected ({@link #attachment}) is a zip archive with encrypted entries. */
    boolean encryptedZip() {
        return encryptedZip;
    }

    /**
     * How the attachment last inspected ({@link #attachment}, or {@link #openWithPasswords}) is had again when a
     * password opened it (an encrypted Office document whose decrypted package was inspected, a zip or 7z archive whose
     * files were): the password, and the decrypted content unless keeping it would pass {@value #MAX_KEPT_BYTES} bytes
     * in this inspection; {@code null} for none.
     */
    ArchivePasswords.Opener opener() {
        return opener;
    }

    /**
     * The attachment was opened with {@code password}: its {@link #opener}, keeping {@code content} unless that would
     * pass {@value #MAX_KEPT_BYTES} decrypted bytes in this inspection (beyond, the analyzers decrypt it again).
     */
    private void keepOpener(String password, ArchivePasswords.Reopened content) {
        long size = content.size();
        boolean kept = keptBytes + size <= MAX_KEPT_BYTES;
        if (kept) {
            keptBytes += size;
        }
        opener = new ArchivePasswords.Opener(password, kept ? content : null);
    }

    /** The passwords the message or its password mail gives (asked for once, when something encrypted is met). */
    ArchivePasswords.Candidates passwords() {
        return passwords.get();
    }

    /** Where the passwords the message gives come from, for encrypted Office documents ({@link ArchivePasswords}). */
    void passwordsFrom(java.util.function.Supplier<ArchivePasswords.Candidates> passwords) {
        this.passwords = passwords;
    }

    /**
     * An encrypted attachment a password opened: {@code ENCRYPTED_ARCHIVE_OPENED} takes the place of its
     * {@code ENCRYPTED_ARCHIVE} (it could be inspected after all; {@code attachments.opened} decides), with where the
     * password came from: {@code ARCHIVE_PASSWORD_IN_MESSAGE}, {@code ARCHIVE_PASSWORD_SENT_SEPARATELY} (naming the
     * password mail) or {@code ARCHIVE_PASSWORD_FROM_ANALYST} (naming the analyst) — never the password.
     */
    private void opened(String path, ArchivePasswords.Candidates candidates, String password) {
        String where = locate(path);
        findings.remove(Finding.of(ENCRYPTED, where));
        add(OPENED, where);
        Optional<io.mamori.core.analysis.PasswordMail> elsewhere = candidates.givenElsewhere(password);
        if (elsewhere.isEmpty()) {
            add(PASSWORD_IN_MESSAGE, where);
        } else {
            add(elsewhere.get().fromAnalyst() ? PASSWORD_FROM_ANALYST : PASSWORD_SENT_SEPARATELY,
                    where + ": password from " + elsewhere.get().source());
        }
    }

    /**
     * Opens an encrypted zip attachment (one {@link #encryptedZip} said so of) with the first of the passwords the
     * message gives that opens it ({@link ArchivePasswords#open}), and inspects its files like those of any archive
     * (their names were judged already), within the message's byte budget; one that holds more than
     * {@link ArchiveLimits#maxBufferBytes()} decrypted is {@code ATTACHMENT_NOT_INSPECTED}. When one opens it, see
     * {@link #opened}. How it is had again ({@link #opener}), or {@code null} when none opened it.
     */
    ArchivePasswords.Opener openWithPasswords(String path, String partPath, InputStream in,
            ArchivePasswords.Candidates passwords) throws InterruptedException {
        this.partPath = partPath;
        this.opener = null;
        try {
            byte[] zip = in.readNBytes(limits.maxBufferBytes() + 1);
            if (zip.length > limits.maxBufferBytes()) {
                return null;
            }
            Optional<ArchivePasswords.Opened> opened = ArchivePasswords.open(zip, passwords.all(), limits.maxEntries(),
                    limits.maxBufferBytes());
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("attachment inspection interrupted");
            }
            if (openable(path, opened)) {
                keepOpener(opened.get().password(), new ArchivePasswords.Reopened(null, opened.get().files()));
                opened(path, passwords, opened.get().password());
                // the walk that met it encrypted counted its entries and judged their names
                inspectFiles(path, opened.get().files(), false, false);
            }
            return opener;
        } catch (Stop stop) {
            stopped(stop);
            return opener;
        } catch (IOException e) {
            return null; // unreadable: the inspection already said what it could
        }
    }

    /**
     * An attachment's inspection ended early: cancellation (the analysis budget) becomes an InterruptedException, a
     * sink's "enough" goes on up, a budget finding is kept.
     */
    private void stopped(Stop stop) throws InterruptedException {
        if (stop.finding == null) {
            throw new InterruptedException("attachment inspection interrupted");
        }
        if (stop.finding == ENOUGH) {
            throw stop;
        }
        findings.add(stop.finding);
    }

    /** Hands the HTML pages inside archives to {@code pages} as well during this inspection. */
    void collectPages(Pages pages) {
        if (sink != null) {
            throw new IllegalStateException("a sink's walk hands its pages to the sink");
        }
        this.pages = pages;
    }

    /** Ends a {@link Sink}'s walk when it has had enough: not a finding. */
    private static final Finding ENOUGH = Finding.of("ARCHIVE_WALK_ENDED", "");

    /**
     * Whether a PDF or a picture (by content) was met inside an archive, or a picture part ({@code word/media/} ...)
     * or an external hyperlink in an Office document, attached or inside an archive, or a document was cut short by
     * its budgets: a walk for
     * them ({@link ArchiveContents}, which reads archives as this does) finds none in archives and documents this
     * inspected to the end without one.
     */
    boolean linkSourcesInside() {
        return linkSourcesInside;
    }

    /** Whether a zip entry compressed with Zstandard was met, in an attachment or an archive inside one. */
    boolean zstdInside() {
        return zstdInside;
    }

    /** Whether a RAR archive (by content) was met inside another archive. */
    boolean rarInside() {
        return rarInside;
    }

    List<Finding> findings() {
        return new ArrayList<>(findings);
    }

    void add(String code, String evidence) {
        findings.add(Finding.of(code, evidence));
    }

    /**
     * Evidence that names the MIME part too, e.g. {@code 見積書.zip (part 2)} or {@code a.zip!/b.7z (part 2)}: two
     * attachments may share a name, and {@code attachments.encrypted: strip} removes exactly the part named. An
     * unnamed part is already shown as {@code part 2}.
     */
    private String locate(String path) {
        if (partPath == null || path.startsWith("part " + partPath)) {
            return path;
        }
        return path + " (part " + partPath + ")";
    }

    /**
     * Inspects one attachment.
     *
     * @param path     how evidence names it: its file name, or {@code part 1.2}
     * @param name     its file name (for the extension), or {@code null}
     * @param declared its declared media type (lower case)
     * @throws InterruptedException when the analysis was cancelled (the pipeline's time budget ran out)
     */
    void attachment(String path, String name, String declared, InputStream in) throws InterruptedException {
        attachment(path, null, name, declared, in);
    }

    /**
     * As {@link #attachment(String, String, String, InputStream)}, naming the MIME part ({@code partPath}, e.g.
     * {@code 2}) in the evidence of findings that act on a whole part (see {@link #locate}).
     */
    void attachment(String path, String partPath, String name, String declared, InputStream in)
            throws InterruptedException {
        attachment(path, partPath, name, declared, in, null);
    }

    /**
     * As {@link #attachment(String, String, String, String, InputStream)} for an attachment that can be read again
     * ({@code again}, e.g. the part's content in the message's store, or {@code null}): a large file need not be held in
     * memory to be opened as the zip after other data that its last bytes say it holds ({@link #appendedZip}).
     */
    void attachment(String path, String partPath, String name, String declared, InputStream in, Reopen again)
            throws InterruptedException {
        this.reopen = again;
        try {
            inspectAttachment(path, partPath, name, declared, in);
        } finally {
            this.reopen = null;
        }
    }

    /** Opens an attachment's content again, from its start. */
    @FunctionalInterface
    interface Reopen {
        InputStream open() throws IOException;
    }

    private void inspectAttachment(String path, String partPath, String name, String declared, InputStream in)
            throws InterruptedException {
        this.partPath = partPath;
        this.encryptedZip = false;
        this.opener = null;
        try {
            file(path, name, declared, in, 0);
        } catch (Stop stop) {
            stopped(stop);
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("attachment inspection interrupted");
            }
            add(NOT_INSPECTED, path + ": unreadable (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * For a {@link Sink}'s walk: the files inside one attachment. Whether to go on with the next attachment
     * ({@code false} once the sink has had enough).
     */
    boolean walk(String path, String name, InputStream in) throws InterruptedException {
        try {
            attachment(path, null, name, null, in);
            return true;
        } catch (Stop enough) {
            return false;
        }
    }

    /**
     * For a {@link Sink}'s walk: the files of an encrypted zip or 7z attachment that a password opened
     * ({@link ArchivePasswords#open}, {@link ArchivePasswords#openSevenZip}), walked as its entries: each counted as an
     * entry, read against the message's byte budget, handed over or opened as a nested archive, as the inspection does
     * with them ({@link #openWithPasswords}, {@link #openSevenZip}). Whether to go on with the next attachment
     * ({@code false} once the sink has had enough).
     */
    boolean walkOpened(String path, List<ArchivePasswords.File> files) throws InterruptedException {
        this.partPath = null;
        try {
            inspectFiles(path, files, true, false);
            return true;
        } catch (Stop stop) {
            try {
                stopped(stop);
            } catch (Stop enough) {
                return false;
            }
            return true;
        } catch (IOException e) {
            return true; // an array does not fail to read
        }
    }

    /** Inspects one file at {@code depth} (0 = an attachment) and whatever it contains. */
    private void file(String path, String name, String declared, InputStream in, int depth) throws IOException {
        // only the attachment's own content is read again: not a document's decrypted package, inspected at depth 0 too
        Reopen again = reopen;
        reopen = null;
        byte[] head = in.readNBytes(FileSignatures.HEAD);
        int n = head.length;
        // Tika's magic detection walks a thousand signatures: ask it only where ours do not decide (the common
        // images, PDF, RTF, OLE2, archives), where the name or declared type promises a specific kind the content
        // must be compared with, for zip files (it tells an Office document from an archive) and for the evidence
        // of a mismatch, which names Tika's type. Content that promises nothing in particular (a delivery status,
        // an unnamed octet-stream) can only be text or unknown for the checks below, which Tika would not change.
        Kind promised = promised(name, declared);
        String image = FileSignatures.image(head, n);
        String contentType;
        Kind kind;
        if (image != null) {
            contentType = image;
            kind = Kind.IMAGE;
        } else {
            Kind signed = kind(head, n, "");
            boolean decided = signed != Kind.UNKNOWN && signed != Kind.ZIP;
            if (decided) {
                contentType = null;
                kind = signed;
            } else if (signed == Kind.UNKNOWN && promised == Kind.UNKNOWN) {
                contentType = null;
                kind = binary(head, n) ? Kind.UNKNOWN : Kind.TEXT;
            } else {
                contentType = detect(head);
                kind = kind(head, n, contentType);
            }
        }

        String executable = FileSignatures.executable(head, n);
        if (executable != null) {
            add(EXECUTABLE_CONTENT, path + ": " + executable);
            kind = Kind.EXECUTABLE;
        } else if ((kind == Kind.TEXT || kind == Kind.HTML || kind == Kind.UNKNOWN) && !binary(head, n)) {
            // A script stays text for the name comparison: memo.txt holding VBScript is not a disguised type.
            String script = FileSignatures.script(head, n);
            if (script != null) {
                add(EXECUTABLE_CONTENT, path + ": " + script);
            }
        }
        String extension = name == null ? "" : AttachmentNameAnalyzer.extension(AttachmentNameAnalyzer.windowsName(name));
        if (kind == Kind.RTF && Set.of("doc", "docx", "docm", "dot", "dotx", "dotm").contains(extension)) {
            add(RTF_DISGUISED, path);
        } else if (mismatch(promised, kind)) {
            // plain text under another name hides nothing that runs (a truncated download, a mislabelled note):
            // half weight; HTML, programs or archives under a false name are the disguise this finding is for
            findings.add(new Finding(TYPE_MISMATCH, kind == Kind.TEXT ? 0.5 : 1.0, path + ": "
                    + (name != null ? "named ." + extension : "declared " + declared) + ", content is "
                    + (contentType != null ? contentType : detect(head))));
        }

        if (depth > 0 && (kind == Kind.PDF || kind == Kind.IMAGE)) {
            linkSourcesInside = true;
        }
        boolean rar = FileSignatures.isRar(head, n);
        if (depth > 0 && rar) {
            rarInside = true;
        }
        InputStream whole = new SequenceInputStream(new ByteArrayInputStream(head), in);
        // not for a page (by its name): the pages inside archives are taken from the bytes the caller drains, which
        // must be all of them (a page declared text/csv would otherwise hide its first megabyte from the page checks)
        if (kind == Kind.TEXT && sink == null && csv(name, declared) && !page(name, kind)) {
            // Excel evaluates the cells of a CSV file it opens: a DDE formula there starts a program
            byte[] text = whole.readNBytes(MAX_SEARCHED_TEXT_BYTES);
            OfficeFields.csvDde(new String(text, StandardCharsets.ISO_8859_1))
                    .ifPresent(formula -> add(DDE, path + ": " + shown(formula)));
            whole = new SequenceInputStream(new ByteArrayInputStream(text), whole);
        }
        if (kind == Kind.TEXT && sink == null && !page(name, kind) && sylk(head, n)) {
            // a SYLK file, which Excel opens (by its first bytes, whatever its name) and runs the macros of
            byte[] text = whole.readNBytes(MAX_SEARCHED_TEXT_BYTES);
            if (sylkMacroSheet(text)) {
                add(OFFICE_MACRO, path + ": Excel 4 macro sheet (SYLK)");
            }
            whole = new SequenceInputStream(new ByteArrayInputStream(text), whole);
        }
        if ((kind == Kind.TEXT || kind == Kind.UNKNOWN) && sink == null && !page(name, kind)
                && OfficeFields.flatXml(head, n)) {
            // Word 2003 XML, Word's flat OPC package and Excel 2003 XML: documents in one XML text, which Office opens
            byte[] xml = whole.readNBytes(limits.maxBufferBytes());
            OfficeFields.flatXmlDde(xml).ifPresent(instruction -> add(DDE, path + ": " + shown(instruction)));
            if (flatXmlMacros(xml)) {
                add(OFFICE_MACRO, path);
            }
            whole = new SequenceInputStream(new ByteArrayInputStream(xml), whole);
        }
        if (kind == Kind.RTF && sink == null && !page(name, kind)) {
            byte[] rtf = whole.readNBytes(limits.maxBufferBytes() + 1);
            // a template at a network address, which Word loads with the document (RTF template injection)
            RtfTemplate.of(rtf.length > MAX_SEARCHED_TEXT_BYTES ? java.util.Arrays.copyOf(rtf, MAX_SEARCHED_TEXT_BYTES) : rtf)
                    .filter(OfficeRelationships::remote)
                    .ifPresent(template -> add(REMOTE_CONTENT, path + ": template " + shown(template)));
            byte[] read = rtf.length > limits.maxBufferBytes() ? java.util.Arrays.copyOf(rtf, limits.maxBufferBytes()) : rtf;
            if (RtfObjects.mayHoldObjects(read)) {
                rtfObjects(path, read, depth);
            }
            if (read != rtf) {
                add(NOT_INSPECTED, path + ": larger than " + limits.maxBufferBytes() / (1024 * 1024)
                        + " MiB, objects after that not read");
            }
            whole = new SequenceInputStream(new ByteArrayInputStream(rtf), whole);
        }
        if (sink != null && depth > 0 && hand(path, name, kind, rar, whole)) {
            return;
        }
        if (depth == 0) {
            // pages are taken only from the attachments a walk for them opens (ArchiveContents.walkIfArchive)
            pagesHere = ArchiveContents.isArchive(head, n);
        }
        if (pages != null && pagesHere && depth > 0 && page(name, kind)) {
            // The page is what hand() would read: its first max bytes, complete if nothing follows. Its head may
            // already tell; otherwise the rest is taken from the bytes the caller's drain reads anyway (Metered), so
            // that the inspection reads every entry exactly as before (same reads, same counts, same checks).
            int max = pages.wanted();
            if (max > 0 && (n > max || n < FileSignatures.HEAD)) {
                pages.take(path, java.util.Arrays.copyOf(head, Math.min(n, max)), n <= max);
            } else if (max > 0) {
                pendingPage = new PendingPage(path, head, n, max);
            }
        }
        if ((kind == Kind.UNKNOWN || kind == Kind.TEXT) && tnefNamed(name, declared)) {
            // a mail client that takes it for TNEF by its name or type shows nothing of it, or what it makes of it
            add(NOT_INSPECTED, path + ": TNEF by its " + (name != null && tnefNamed(name, null) ? "name" : "type")
                    + " but not a TNEF stream (no signature), not opened");
        }
        boolean container = kind == Kind.ZIP || kind == Kind.ARCHIVE;
        if (container && depth >= limits.maxDepth()) {
            add(ARCHIVE_TOO_DEEP, path + ": archive nested more than " + limits.maxDepth() + " levels deep");
            return;
        }
        if (kind == Kind.ZIP) {
            zip(path, whole, depth, "application/x-tika-ooxml".equals(contentType)
                    || contentType.startsWith("application/vnd.oasis.opendocument"));
        } else if (FileSignatures.isGzip(head, n)) {
            gzip(path, name, whole, depth);
        } else if (FileSignatures.compression(head, n) != null) {
            decompressed(path, name, whole, depth, FileSignatures.compression(head, n));
        } else if (FileSignatures.isTar(head, n)) {
            entries(path, new TarArchiveInputStream(whole), depth);
        } else if (FileSignatures.isCpio(head, n)) {
            entries(path, new org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream(whole), depth);
        } else if (FileSignatures.isAr(head, n)) {
            entries(path, new org.apache.commons.compress.archivers.ar.ArArchiveInputStream(whole), depth);
        } else if (FileSignatures.isTnef(head, n)) {
            tnef(path, whole, depth);
        } else if (kind == Kind.ARCHIVE && !FileSignatures.isSevenZip(head, n) && !FileSignatures.isRar(head, n)) {
            String type = FileSignatures.unopenedArchive(head, n);
            add(NOT_INSPECTED, path + ": " + (type != null ? type : UNOPENED_TYPES.get(contentType))
                    + " archive, not opened");
        } else if (FileSignatures.isSevenZip(head, n)) {
            sevenZip(path, whole, depth);
        } else if (FileSignatures.isRar(head, n)) {
            if (FileSignatures.rarEncrypted(head, n)) {
                add(ENCRYPTED, locate(path));
            } else {
                rar(path, whole, depth);
            }
        } else if ((kind == Kind.UNKNOWN || kind == Kind.TEXT) && sink == null) {
            appendedZip(path, whole, depth, again);
        } else if (kind == Kind.OLE2 && sink == null) {
            byte[] bytes = buffered(path, whole);
            if (bytes != null) {
                ole(path, name, bytes, depth);
            }
        } else if (kind == Kind.PDF && sink == null) {
            byte[] bytes = buffered(path, whole);
            if (bytes != null) {
                pdf(path, bytes, depth);
            }
        }
    }

    /**
     * A zip after other data (a self-extractor's stub, random bytes): Windows, 7-Zip and Python find it by its end
     * record near the end of the file and open it. The file streams past, only its last bytes kept
     * ({@link ZipLayout.Tail}); more is read only when they hold an end record:
     * <ul>
     * <li>a file the tail holds whole, or an attachment of at most {@link ArchiveLimits#maxBufferBytes()} (read again
     *     from the message's store), is read as any zip in memory, every header in it carved;</li>
     * <li>of a larger one, only the archive, from where its end record says it starts: the tail's end when it is there,
     *     else read again from the store for an attachment, within the same limit;</li>
     * <li>an archive that cannot be had so (inside another archive and larger than the tail, or larger than the limit)
     *     is {@code ATTACHMENT_NOT_INSPECTED}.</li>
     * </ul>
     * A file without an end record costs at most the tail's {@value ZipLayout.Tail#WINDOW} bytes of memory.
     *
     * @param reopen how the file is read again (an attachment's content), or {@code null} when it cannot be
     */
    private void appendedZip(String path, InputStream whole, int depth, Reopen reopen) throws IOException {
        ZipLayout.Tail tail = ZipLayout.Tail.of(whole);
        byte[] window = tail.bytes();
        int end = ZipLayout.end(window);
        if (end < 0) {
            return;
        }
        if (depth >= limits.maxDepth()) {
            add(ARCHIVE_TOO_DEEP, path + ": archive nested more than " + limits.maxDepth() + " levels deep");
            return;
        }
        long length = tail.length();
        boolean again = reopen != null;
        if (length == window.length) {
            zipLayout(path, window, depth, Set.of(), false, false);
            return;
        }
        if (again && length <= limits.maxBufferBytes()) {
            zipLayout(path, reread(reopen, 0, length), depth, Set.of(), false, false);
            return;
        }
        long start = ZipLayout.start(window, end, length - window.length + end);
        long from = Math.max(0, start);
        long archive = length - from;
        if (archive <= window.length) {
            zipLayout(path, java.util.Arrays.copyOfRange(window, (int) (window.length - archive), window.length), depth,
                    Set.of(), false, from > 0);
        } else if (again && archive <= limits.maxBufferBytes()) {
            zipLayout(path, reread(reopen, from, archive), depth, Set.of(), false, from > 0);
        } else {
            long max = again ? limits.maxBufferBytes() : ZipLayout.Tail.WINDOW;
            add(NOT_INSPECTED, path + ": zip after other data, larger than " + max / (1024 * 1024) + " MiB"
                    + (again ? "" : " inside an archive") + ", not opened");
        }
    }

    /**
     * {@code length} bytes of the attachment from {@code from}, read again from the message's store.
     *
     * @throws IOException when they are not all there (the attachment is then unreadable)
     */
    private static byte[] reread(Reopen reopen, long from, long length) throws IOException {
        try (InputStream in = reopen.open()) {
            in.skipNBytes(from);
            byte[] bytes = in.readNBytes((int) length);
            if (bytes.length == length) {
                return bytes;
            }
        } catch (java.io.EOFException shorter) {
            // as below
        }
        throw new IOException("attachment shorter when read again");
    }

    /**
     * Hands a file inside an archive to the {@link Sink} if it is of a type it wants: an HTML or SVG file by its name
     * (a browser opens it as a page, whatever Tika makes of an SVG), unless its content is a program, a PDF or an
     * archive; a PDF, picture or RAR archive by its content. Whether it was handed over.
     */
    private boolean hand(String path, String name, Kind kind, boolean rar, InputStream whole) throws IOException {
        ArchiveContents.Type type = page(name, kind) ? ArchiveContents.Type.HTML
                : kind == Kind.PDF ? ArchiveContents.Type.PDF
                : kind == Kind.IMAGE ? ArchiveContents.Type.PICTURE
                : rar ? ArchiveContents.Type.RAR : null;
        int max = type == null ? 0 : sink.wanted(type);
        if (max <= 0) {
            return false;
        }
        byte[] bytes = whole.readNBytes(max);
        boolean complete = whole.read() < 0;
        if (!sink.take(path, type, bytes, complete)) {
            throw new Stop(ENOUGH);
        }
        return true;
    }

    /**
     * Whether a file inside an archive is a page: HTML or SVG by its name (a browser opens it as a page, whatever Tika
     * makes of an SVG), unless its content is a program, a PDF or an archive.
     */
    private static boolean page(String name, Kind kind) {
        return name != null && HtmlAttachmentAnalyzer.isHtmlName(name)
                && !Set.of(Kind.EXECUTABLE, Kind.PDF, Kind.ZIP, Kind.ARCHIVE, Kind.OLE2).contains(kind);
    }

    private void ole(String path, String name, byte[] bytes, int depth) throws IOException {
        OleInspection.Result r = OleInspection.inspect(bytes);
        if (r.installer() != null) {
            add(EXECUTABLE_CONTENT, path + ": " + r.installer());
        }
        // The passwords the message gives are tried first: a document that one of them opens is encrypted for
        // its reader, and cannot also be one Excel opens by itself. Each try costs a key derivation.
        ArchivePasswords.Candidates candidates = null;
        Optional<ArchivePasswords.Decrypted> byCandidate = Optional.empty();
        if (r.encrypted() && depth == 0 && documentsTried < ArchivePasswords.MAX_DOCUMENTS) {
            candidates = passwords.get();
            if (!candidates.all().isEmpty()) {
                documentsTried++;
                byCandidate = ArchivePasswords.openDocument(bytes, candidates.all(), limits.maxBufferBytes());
            }
        }
        Optional<ArchivePasswords.Decrypted> byDefault = Optional.empty();
        if (r.encrypted() && byCandidate.isEmpty() && defaultsTried < ArchivePasswords.MAX_DOCUMENTS) {
            defaultsTried++;
            byDefault = ArchivePasswords.openDocument(bytes, List.of(OleInspection.DEFAULT_PASSWORD), limits.maxBufferBytes());
        }
        if (byDefault.isPresent()) {
            // Excel's default password, with which Office opens the document without asking its reader for one: not an
            // encrypted document for the reader, nor here; its package is inspected as an unencrypted one's (the
            // antivirus and link walks have it as kept here, or open it again with the same password)
            if (depth == 0) {
                keepOpener(OleInspection.DEFAULT_PASSWORD,
                        new ArchivePasswords.Reopened(byDefault.get().bytes(), null));
            }
            nested(path, name, new Metered(new ByteArrayInputStream(byDefault.get().bytes()), null, path), depth);
        } else if (r.encrypted()) {
            add(ENCRYPTED, locate(path));
            if (byCandidate.isPresent()) {
                // the document itself, decrypted: its macros are found as an unencrypted one's
                keepOpener(byCandidate.get().password(),
                        new ArchivePasswords.Reopened(byCandidate.get().bytes(), null));
                opened(path, candidates, byCandidate.get().password());
                nested(path, name, new Metered(new ByteArrayInputStream(byCandidate.get().bytes()), null, path), depth);
            }
        }
        if (r.dde() != null) {
            add(DDE, path + ": " + shown(r.dde()));
        }
        if (r.macro()) {
            add(OFFICE_MACRO, path + ("VBA".equals(r.macroKind()) ? "" : ": " + r.macroKind()));
        }
        if (r.equationEditor()) {
            add(EQUATION_EDITOR, path);
        }
        if (r.message()) {
            outlookMessage(path, bytes, depth);
        }
        for (OleInspection.Embedded embedded : r.embedded()) {
            embedded(path, embedded.name(), embedded.data(), depth);
        }
    }

    /** The media types a TNEF stream is sent as ([MS-OXTNEF] 2.1.3; the second by older Exchange servers). */
    private static final Set<String> TNEF_TYPES = Set.of("application/ms-tnef", "application/vnd.ms-tnef");

    /** Whether a file's name ({@code winmail.dat}) or declared type says it is a TNEF stream. */
    private static boolean tnefNamed(String name, String declared) {
        if (name != null && AttachmentNameAnalyzer.windowsName(lastSegment(name)).equalsIgnoreCase("winmail.dat")) {
            return true;
        }
        return declared != null && TNEF_TYPES.contains(declared);
    }

    /**
     * A TNEF stream (winmail.dat, {@link MapiAttachments.Tnef}), which Outlook and Exchange send a message's
     * attachments in: each attachment is an entry, its names judged ({@code winmail.dat!/invoice.exe}) and its content
     * inspected as an archive entry's, one level deeper (an attached message is a TNEF stream of its own, an OLE object a
     * compound file). A stream that cannot be read to its end is {@code ATTACHMENT_NOT_INSPECTED}
     * ({@code winmail.dat: damaged TNEF (unknown attribute level 75)}), after the attachments before the damage.
     */
    private void tnef(String path, InputStream whole, int depth) throws IOException {
        byte[] bytes = buffered(path, whole);
        if (bytes == null) {
            return;
        }
        MapiAttachments.Tnef tnef = new MapiAttachments.Tnef(bytes, limits.maxEntries());
        int index = 0;
        for (MapiAttachments.Attached a; (a = tnef.next()) != null; ) {
            entry(path);
            index++;
            String entryPath = attachedNames(path, a.names(), "attachment " + index);
            if (a.unreadable() != null) {
                add(NOT_INSPECTED, entryPath + ": TNEF attachment " + a.unreadable());
            }
            for (byte[] content : a.contents()) {
                Metered metered = new Metered(new ByteArrayInputStream(content), null, entryPath);
                nested(entryPath, a.names().isEmpty() ? null : lastSegment(a.names().get(0)), metered, depth + 1);
                metered.drain();
            }
        }
        if (tnef.damage() != null) {
            add(NOT_INSPECTED, path + ": damaged TNEF (" + tnef.damage() + ")");
        }
    }

    /**
     * Judges every name of a file attached to a TNEF stream or an Outlook message, each with its own path as evidence
     * (a mail client may show any of them), and returns the path of the file as evidence names it: by its first name,
     * else as {@code unnamed}.
     */
    private String attachedNames(String container, List<String> names, String unnamed) {
        for (String name : names) {
            names(name, container + "!/" + AttachmentNameAnalyzer.displayed(lastSegment(name)));
        }
        return container + "!/" + (names.isEmpty() ? unnamed : AttachmentNameAnalyzer.displayed(lastSegment(names.get(0))));
    }

    /**
     * An Outlook message (.msg, read with POI's HSMF): its attachments are inspected as the entries of an archive, their
     * names judged ({@code mail.msg!/invoice.exe}) and their content one level deeper; an attached message is walked
     * the same way as a nested archive, to the depth limit. A message HSMF cannot read is
     * {@code ATTACHMENT_NOT_INSPECTED} ({@code mail.msg: damaged Outlook message (…)}). Its OLE objects are the compound
     * file's embedded objects, inspected by {@link #ole} already.
     */
    private void outlookMessage(String path, byte[] bytes, int depth) {
        try (org.apache.poi.poifs.filesystem.POIFSFileSystem fs =
                new org.apache.poi.poifs.filesystem.POIFSFileSystem(new ByteArrayInputStream(bytes))) {
            messageFiles(path, fs.getRoot(), depth);
        } catch (Stop stop) {
            throw stop;
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new Stop(null);
            }
            add(NOT_INSPECTED, path + ": damaged Outlook message (" + e.getClass().getSimpleName() + ")");
        }
    }

    private void messageFiles(String path, org.apache.poi.poifs.filesystem.DirectoryNode message, int depth)
            throws IOException {
        if (depth >= limits.maxDepth()) {
            add(ARCHIVE_TOO_DEEP, path + ": message nested more than " + limits.maxDepth() + " levels deep");
            return;
        }
        MapiAttachments.MessageFiles read = MapiAttachments.files(message);
        int index = 0;
        for (MapiAttachments.MessageFile file : read.files()) {
            entry(path);
            index++;
            String entryPath = attachedNames(path, file.names(),
                    file.message() != null ? "attached message " + index : "attachment " + index);
            if (file.message() != null) {
                messageFiles(entryPath, file.message(), depth + 1);
            } else if (file.content() != null) {
                Metered metered = new Metered(new ByteArrayInputStream(file.content()), null, entryPath);
                nested(entryPath, file.names().isEmpty() ? null : lastSegment(file.names().get(0)), metered, depth + 1);
                metered.drain();
            }
        }
        if (read.unread() > 0) {
            add(NOT_INSPECTED, path + ": damaged Outlook message (" + read.unread() + " of its attachments unreadable)");
        }
    }

    /**
     * A PDF ({@link PdfInspection}): {@code ENCRYPTED_ARCHIVE} when it needs a password; {@code PDF_JAVASCRIPT}
     * ({@code invoice.pdf: open action}) for JavaScript that runs unasked, {@code PDF_LAUNCH_ACTION}
     * ({@code invoice.pdf: cmd.exe}) for an action that starts a program or opens a file; its embedded files inspected
     * as files embedded in a document ({@code invoice.pdf!/invoice.exe}).
     */
    private void pdf(String path, byte[] bytes, int depth) throws IOException {
        PdfInspection.Result r = PdfInspection.inspect(bytes, limits.maxBufferBytes());
        if (r.needsPassword()) {
            add(ENCRYPTED, locate(path));
            return;
        }
        if (r.javascript() != null) {
            add(PDF_JAVASCRIPT, path + ": " + shown(r.javascript()));
        }
        if (r.launch() != null) {
            add(PDF_LAUNCH, path + ": " + shown(r.launch()));
        }
        for (PdfInspection.EmbeddedFile file : r.files()) {
            embedded(path, file.name(), file.data(), depth);
        }
    }

    /** Whether a text is a SYLK file: its first record {@code ID;P…} (how Excel recognises one). */
    private static boolean sylk(byte[] head, int n) {
        return n >= 4 && head[0] == 'I' && head[1] == 'D' && head[2] == ';' && head[3] == 'P';
    }

    /**
     * Whether a SYLK file is a macro sheet: an options record ({@code O;…}) with the field {@code E}, which makes the
     * sheet an Excel 4 macro sheet (its formulas {@code EXEC}, {@code CALL} and the like run, from {@code Auto_Open}
     * on opening). Read line by line in the first {@value #MAX_SEARCHED_TEXT_BYTES} bytes.
     */
    static boolean sylkMacroSheet(byte[] text) {
        int start = 0;
        for (int i = 0; i <= text.length; i++) {
            if (i == text.length || text[i] == '\n' || text[i] == '\r') {
                if (i - start > 2 && text[start] == 'O' && text[start + 1] == ';') {
                    for (String field : new String(text, start + 2, i - start - 2, StandardCharsets.ISO_8859_1).split(";")) {
                        if (field.equals("E")) {
                            return true;
                        }
                    }
                }
                start = i + 1;
            }
        }
        return false;
    }

    private static final byte[] WORD_2003_MACROS = "editdata.mso\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FLAT_OPC_MACROS = "vbaProject.bin\"".getBytes(StandardCharsets.US_ASCII);

    /**
     * Whether a flat XML document carries a VBA project: Word 2003 XML keeps it base64-encoded in a
     * {@code w:binData w:name="editdata.mso"} element, a flat OPC package in a {@code pkg:part} named
     * {@code .../vbaProject.bin}. A byte search for those names, as the XML parse for DDE does not look at them.
     */
    private static boolean flatXmlMacros(byte[] xml) {
        return FileSignatures.indexOf(xml, WORD_2003_MACROS, 0) >= 0 || FileSignatures.indexOf(xml, FLAT_OPC_MACROS, 0) >= 0;
    }

    /**
     * The OLE objects of an RTF file ({@link RtfObjects}), the way exploit documents and droppers use them: an Equation
     * Editor 3.0 object is {@code OFFICE_EQUATION_EDITOR} ({@code order.rtf: Equation.3 object}, once per file; its
     * data, the exploit, is not read further); a linked object that fetches its source from the network (an
     * {@code OLE2Link} object, CVE-2017-0199, or a linked file on another host) is {@code OFFICE_REMOTE_CONTENT}
     * ({@code order.rtf: linked object http://…}); a Package's file and any other embedded object's data (a Word
     * document, a workbook) are inspected as files embedded in the document.
     */
    private void rtfObjects(String path, byte[] rtf, int depth) throws IOException {
        boolean equation = false;
        for (RtfObjects.RtfObject object : RtfObjects.of(rtf, limits.maxBufferBytes())) {
            if (object.equationEditor()) {
                if (!equation) {
                    add(EQUATION_EDITOR, path + ": " + shown(object.equationClass()) + " object");
                }
                equation = true;
            } else if (object.ole2Link()) {
                String url = object.nativeData() == null ? null : RtfObjects.linkedUrl(object.nativeData());
                add(REMOTE_CONTENT, path + ": linked object " + (url != null ? shown(url) : "(OLE2Link)"));
            } else if (object.linkedFile() != null && OfficeRelationships.remote(object.linkedFile())) {
                add(REMOTE_CONTENT, path + ": linked object " + shown(object.linkedFile()));
            } else if (object.packaged()) {
                byte[] stream = new byte[4 + object.nativeData().length];
                int n = object.nativeData().length;
                stream[0] = (byte) n;
                stream[1] = (byte) (n >>> 8);
                stream[2] = (byte) (n >>> 16);
                stream[3] = (byte) (n >>> 24);
                System.arraycopy(object.nativeData(), 0, stream, 4, n);
                OleInspection.Embedded packaged = OleInspection.packaged(stream);
                embedded(path, packaged.name(), packaged.data(), depth);
            } else if (object.nativeData() != null && object.nativeData().length > 0) {
                embedded(path, null, object.nativeData(), depth);
            }
        }
    }

    /**
     * A file embedded in a document ({@link OleInspection.Embedded}, or an OOXML document's embedded part): counted
     * as one of the document's parts, its name judged as an archive entry's ({@code 請求書.doc!/invoice.pdf.lnk} is
     * {@code ATTACHMENT_EXECUTABLE} and {@code ATTACHMENT_DOUBLE_EXTENSION}) and its content inspected as a file inside
     * the document, one level deeper. An embedded object without a name shows as {@code embedded object}.
     */
    private void embedded(String document, String name, byte[] data, int depth) throws IOException {
        documentEntry(document);
        String file = name == null || name.isBlank() ? null : lastSegment(name);
        String entryPath = document + "!/" + (file == null ? "embedded object" : AttachmentNameAnalyzer.displayed(file));
        if (file != null) {
            names(file, entryPath);
        }
        if (data == null) {
            return;
        }
        if (depth + 1 > limits.maxDepth()) {
            add(ARCHIVE_TOO_DEEP, entryPath + ": nested more than " + limits.maxDepth() + " levels deep");
            return;
        }
        embeddedFile(entryPath, file, new Metered(new ByteArrayInputStream(data), null, entryPath, true), depth);
    }

    /**
     * Inspects a file embedded in a document (counted against the document's budgets), without taking it as a page:
     * a {@link Sink}'s walk, which {@link Pages} stand in for, does not open documents' embedded objects.
     */
    private void embeddedFile(String entryPath, String name, Metered content, int depth) throws IOException {
        Pages taking = pages;
        pages = null;
        try {
            nested(entryPath, name, content, depth + 1);
            content.drain();
        } finally {
            pages = taking;
        }
    }

    /**
     * Commons Compress's zip reader, with Zstandard (method 93, which WinZip writes) decoded by aircompressor's pure-Java
     * decoder: Commons Compress would ask for zstd-jni, a native library Mamori does not ship, and fail with an error
     * while moving to such an entry, so that the analysis of the whole message failed and an archive compressed this
     * way went uninspected (found by fuzzing).
     */
    private static final class ZipEntries extends ZipArchiveInputStream {
        ZipEntries(InputStream in) {
            super(in, StandardCharsets.UTF_8.name(), true, true);
        }

        @Override
        protected InputStream createZstdInputStream(InputStream in) {
            return new io.airlift.compress.zstd.ZstdInputStream(in);
        }
    }

    /**
     * A zip archive, or an Office (OOXML, ODF) document, which is a zip too. A document's parts are only
     * searched for macros, not inspected as files, and have per-message budgets of their own (ten times the
     * entries and ratio, the same total): a large spreadsheet's XML legitimately expands far and compresses
     * well, so a document past them is "not inspected", not a bomb. For a {@link Sink} that wants pictures, the
     * pictures of a document, attached or inside an archive (its {@code word/media/}, {@code xl/media/},
     * {@code ppt/media/} parts, by content), are handed over, within the same budgets; the sink gets nothing else of
     * a document, and its other parts are decompressed only where the zip format needs it to find the next part (a
     * data descriptor), counted against the budgets.
     */
    private void zip(String path, InputStream whole, int depth, boolean document) throws IOException {
        if (sink != null) {
            // the walks for pages and pictures read as before; the names and structure are the inspection's
            streamZip(path, whole, depth, document, new java.util.HashSet<>());
            return;
        }
        byte[] bytes = whole.readNBytes(limits.maxBufferBytes() + 1);
        if (bytes.length > limits.maxBufferBytes()) {
            streamZip(path, new SequenceInputStream(new ByteArrayInputStream(bytes), whole), depth, document,
                    new java.util.HashSet<>());
            add(NOT_INSPECTED, path + ": larger than " + limits.maxBufferBytes() / (1024 * 1024)
                    + " MiB, its central directory not compared with its entries");
            return;
        }
        Set<String> streamed = new java.util.HashSet<>();
        boolean inDocument = streamZip(path, new ByteArrayInputStream(bytes), depth, document, streamed);
        zipLayout(path, bytes, depth, streamed, inDocument, false);
    }

    /**
     * Reads a zip front to back, by its local headers, as the stream readers do; the names of the entries read go to
     * {@code streamed}. Whether it is an Office document.
     */
    private boolean streamZip(String path, InputStream whole, int depth, boolean document, Set<String> streamed)
            throws IOException {
        boolean encryptedSeen = false;
        boolean inDocument = document;
        ZipArchiveInputStream zip = new ZipEntries(whole);
        int seen = 0;
        try {
            for (ZipArchiveEntry e; (e = zip.getNextEntry()) != null; ) {
                String entryName = entryName(e);
                streamed.add(entryName);
                if (entryName.equals("[Content_Types].xml") || (seen == 0 && entryName.equals("mimetype"))) {
                    inDocument = true;
                }
                seen++;
                if (inDocument && sink != null && sink.wanted(ArchiveContents.Type.PICTURE) <= 0
                        && sink.wanted(ArchiveContents.Type.OFFICE_RELATIONSHIPS) <= 0
                        && sink.wanted(ArchiveContents.Type.WORD_DOCUMENT) <= 0) {
                    // an Office document's parts hold no files for a sink but its pictures, relationship parts and
                    // main text, attached or inside an archive alike
                    return true;
                }
                if (inDocument) {
                    documentEntry(path);
                } else {
                    entry(path);
                }
                InputStream data = zip;
                if (e.isDirectory()) {
                    if (inDocument) {
                        continue;
                    }
                    int first = folderData(e, zip.canReadEntryData(e) ? zip : null);
                    if (first == NO_DATA) {
                        continue;
                    }
                    if (first >= 0) {
                        data = new SequenceInputStream(new ByteArrayInputStream(new byte[] {(byte) first}),
                                nonClosing(zip));
                    }
                }
                String entryPath = path + "!/" + AttachmentNameAnalyzer.displayed(entryName);
                String lower = entryName.toLowerCase(Locale.ROOT);
                if (lower.endsWith("vbaproject.bin")) {
                    add(OFFICE_MACRO, path);
                } else if (lower.startsWith("xl/macrosheets/")) {
                    add(OFFICE_MACRO, path + ": Excel 4 macro sheet");
                } else if (inDocument && odfMacro(lower)) {
                    add(OFFICE_MACRO, path + (lower.startsWith("basic/") ? ": LibreOffice Basic" : ": document script"));
                }
                if (!inDocument) {
                    names(entryName, entryPath);
                } else if (ArchiveContents.isOfficeMedia(lower)) {
                    linkSourcesInside = true;
                }
                if (e.getGeneralPurposeBit().usesEncryption()) {
                    if (!encryptedSeen) {
                        add(ENCRYPTED, locate(path));
                        encryptedSeen = true;
                    }
                    if (depth == 0 && !inDocument) {
                        encryptedZip = true;
                    }
                    continue;
                }
                if (!inspectable(e, zip.canReadEntryData(e), entryPath)) {
                    continue;
                }
                Metered content = new Metered(data, zip::getCompressedCount, entryPath, inDocument);
                boolean zstd = e.getMethod() == org.apache.commons.compress.archivers.zip.ZipMethod.ZSTD.getCode()
                        || e.getMethod() == org.apache.commons.compress.archivers.zip.ZipMethod.ZSTD_DEPRECATED.getCode();
                zstdInside |= zstd;
                if (!inDocument && zstd && sink != null && sink.wanted(ArchiveContents.Type.ZSTD_FILE) > 0) {
                    byte[] bytes = content.readNBytes(sink.wanted(ArchiveContents.Type.ZSTD_FILE));
                    boolean complete = content.read() < 0;
                    if (!sink.take(entryPath, ArchiveContents.Type.ZSTD_FILE, bytes, complete)) {
                        throw new Stop(ENOUGH);
                    }
                    if (complete && ArchiveContents.isArchive(bytes, Math.min(bytes.length, FileSignatures.HEAD))) {
                        // the engine opens an archive in the handed file itself, but not the Zstandard entries of a
                        // zip in it: the walk goes on into the file for those
                        nested(entryPath, lastSegment(entryName), new ByteArrayInputStream(bytes), depth + 1);
                    }
                } else if (!inDocument) {
                    InputStream file = content;
                    // a document whose content types come later (some generators write them last): its relationship
                    // parts and its parts with fields are read here, and inspected as files as well, as any entry
                    if (OfficeRelationships.isRelationshipPart(lower)) {
                        byte[] rels = content.readNBytes(OfficeRelationships.MAX_PART_BYTES);
                        relationships(path, entryPath, rels, rels.length < OfficeRelationships.MAX_PART_BYTES);
                        file = new SequenceInputStream(new ByteArrayInputStream(rels), content);
                    } else if (sink == null && OfficeFields.mayHoldDde(lower)) {
                        byte[] part = content.readNBytes(MAX_DDE_PART_BYTES);
                        dde(path, new ByteArrayInputStream(part));
                        file = new SequenceInputStream(new ByteArrayInputStream(part), content);
                    }
                    nested(entryPath, lastSegment(entryName), file, depth + 1);
                } else if (sink != null && ArchiveContents.isOfficeMedia(lower)) {
                    byte[] head = content.readNBytes(FileSignatures.HEAD);
                    if (FileSignatures.image(head, head.length) != null) {
                        hand(entryPath, null, Kind.IMAGE, false,
                                new SequenceInputStream(new ByteArrayInputStream(head), content));
                    }
                } else if (OfficeRelationships.isRelationshipPart(lower)) {
                    byte[] rels = content.readNBytes(OfficeRelationships.MAX_PART_BYTES);
                    relationships(path, entryPath, rels, rels.length < OfficeRelationships.MAX_PART_BYTES);
                } else if (sink == null && OfficeFields.mayHoldDde(lower)) {
                    dde(path, content);
                } else if (sink == null && lower.startsWith("xl/externallinks/") && lower.endsWith(".bin")) {
                    byte[] part = content.readNBytes(OfficeRelationships.MAX_PART_BYTES);
                    if (findings.stream().noneMatch(f -> f.code().equals(DDE) && f.evidence().startsWith(path + ": "))) {
                        OfficeFields.xlsbDde(part).ifPresent(link -> add(DDE, path + ": " + shown(link)));
                    }
                } else if (sink == null && embedding(lower)) {
                    // an OLE object (Package, another document) or a document embedded as it is
                    embeddedFile(entryPath, lastSegment(entryName), content, depth);
                } else if (sink != null && lower.equals("word/document.xml")
                        && sink.wanted(ArchiveContents.Type.WORD_DOCUMENT) > 0) {
                    int max = sink.wanted(ArchiveContents.Type.WORD_DOCUMENT);
                    byte[] main = content.readNBytes(max);
                    if (!sink.take(entryPath, ArchiveContents.Type.WORD_DOCUMENT, main, main.length < max)) {
                        throw new Stop(ENOUGH);
                    }
                }
                if (sink == null || !inDocument || e.getGeneralPurposeBit().usesDataDescriptor()) {
                    content.drain();
                }
                // else a sink's walk takes nothing but pictures from a document: the zip stream passes over the rest
                // of the part without decompressing it, as it can when the part's compressed size comes first
            }
        } catch (Stop stop) {
            if (stop.finding != null && stop.finding.code().equals(NOT_INSPECTED)) {
                findings.add(stop.finding);
                // a document cut short by its budgets: a sink's walk, which decompresses less of documents, may get
                // further and find pictures this did not
                linkSourcesInside = true;
                return inDocument;
            }
            throw stop;
        } catch (IOException | RuntimeException e) {
            if (!encryptedSeen) {
                add(NOT_INSPECTED, path + ": damaged archive (" + e.getClass().getSimpleName() + ")");
            }
        }
        return inDocument;
    }

    /**
     * Reads a zip held in memory as Windows' tools, 7-Zip and Python do, from the central directory the last end
     * record points to, and carves every local and central header besides: each name any of them would show (raw or
     * by its Unicode Path field) is judged, the files only the central directory lists are inspected, and a zip that
     * readers would read differently (data before or after it, a second archive or end record, headers outside the
     * central directory, a local name the central directory contradicts) is {@code ATTACHMENT_NOT_INSPECTED} saying so:
     * the stream reading above saw one of its versions only.
     */
    private void zipLayout(String path, byte[] bytes, int depth, Set<String> streamed, boolean document,
            boolean dataBefore) throws IOException {
        Set<String> why = new LinkedHashSet<>();
        // a local and a central header per entry, and a document may hold more parts than an archive entries
        int allowed = (document ? DOCUMENT_FACTOR : 1) * limits.maxEntries();
        int max = 2 * allowed + 1;
        List<ZipLayout.Header> headers = ZipLayout.headers(bytes, max);
        if (headers.size() >= max) {
            if (document) {
                add(NOT_INSPECTED, path + ": more than " + allowed + " parts; not compared with its central directory");
                return;
            }
            throw bomb(path + ": more than " + limits.maxEntries() + " archive entries");
        }
        int end = ZipLayout.end(bytes);
        if (end < 0) {
            // a damaged zip (cut short): no reader lists more than its local headers, whose names are judged
            if (!document) {
                for (ZipLayout.Header h : headers) {
                    for (String name : java.util.Arrays.asList(h.name(), h.unicodeName())) {
                        if (name != null && !h.folder() && !streamed.contains(name)) {
                            names(name, path + "!/" + AttachmentNameAnalyzer.displayed(name));
                        }
                    }
                }
            }
            String damaged = path + ": damaged archive";
            if (findings.stream().noneMatch(f -> f.code().equals(NOT_INSPECTED) && f.evidence().startsWith(damaged))) {
                add(NOT_INSPECTED, damaged + " (no central directory)");
            }
            return;
        }
        if (dataBefore) {
            why.add("data before the archive");
        }
        if (ZipLayout.trailing(bytes, end)) {
            why.add("data after the archive");
        }
        Map<Integer, ZipLayout.Header> localsAt = new HashMap<>();
        for (ZipLayout.Header h : headers) {
            if (!h.central()) {
                localsAt.put(h.offset(), h);
            }
        }
        Set<String> names = new LinkedHashSet<>();
        Set<String> withData = new java.util.HashSet<>();
        List<long[]> data = new ArrayList<>();
        Set<Integer> listed = new java.util.HashSet<>();
        Set<String> central = new java.util.HashSet<>();
        Set<String> judged = new java.util.HashSet<>(streamed);
        boolean encrypted = false;
        try (org.apache.commons.compress.archivers.zip.ZipFile zip = org.apache.commons.compress.archivers.zip.ZipFile
                .builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(bytes)).setUseUnicodeExtraFields(false)
                .setZstdInputStreamFactory(io.airlift.compress.zstd.ZstdInputStream::new).get()) {
            List<ZipArchiveEntry> entries = java.util.Collections.list(zip.getEntriesInPhysicalOrder());
            // Commons Compress says 0 for a self-extractor whose offsets were adjusted (zip -A): the first entry tells
            long first = entries.stream().mapToLong(ZipArchiveEntry::getLocalHeaderOffset).min()
                    .orElse(zip.getFirstLocalFileHeaderOffset());
            // a spanned archive's marker (PK 7 8) comes before its first header
            if (first > (FileSignatures.isZip(bytes, bytes.length) && ZipLayout.int32(bytes, 0) != ZipLayout.LOCAL ? 4 : 0)) {
                why.add("data before the archive");
            }
            for (ZipArchiveEntry e : entries) {
                String name = entryName(e);
                names.add(name);
                central.add(name);
                listed.add((int) e.getLocalHeaderOffset());
                if (e.getDataOffset() >= 0) {
                    data.add(new long[] {e.getDataOffset(), e.getDataOffset() + Math.max(0, e.getCompressedSize())});
                }
                ZipLayout.Header local = localsAt.get((int) e.getLocalHeaderOffset());
                if (local != null && !java.util.Arrays.equals(local.rawName(), e.getRawName())) {
                    why.add("local name " + shown(AttachmentNameAnalyzer.displayed(local.name())) + ", central name "
                            + shown(AttachmentNameAnalyzer.displayed(name)));
                }
            }
            for (ZipArchiveEntry e : entries) {
                String name = entryName(e);
                if (document || streamed.contains(name)) {
                    continue;
                }
                if (e.isDirectory()) {
                    try (InputStream in = zip.canReadEntryData(e) ? zip.getInputStream(e) : null) {
                        if (folderData(e, in) == NO_DATA) {
                            continue;
                        }
                    }
                }
                // only the central directory lists it (or names it differently): what Windows would extract
                entry(path);
                String entryPath = path + "!/" + AttachmentNameAnalyzer.displayed(name);
                judged.add(name);
                names(name, entryPath);
                if (e.getGeneralPurposeBit().usesEncryption()) {
                    encrypted = true;
                    continue;
                }
                if (!inspectable(e, zip.canReadEntryData(e), entryPath)) {
                    continue;
                }
                long compressed = Math.max(1, e.getCompressedSize());
                try (InputStream in = zip.getInputStream(e)) {
                    Metered content = new Metered(in, () -> compressed, entryPath);
                    nested(entryPath, lastSegment(name), content, depth + 1);
                    content.drain();
                }
            }
        } catch (Stop stop) {
            throw stop;
        } catch (IOException | RuntimeException e) {
            why.add("central directory unreadable (" + e.getClass().getSimpleName() + ")");
        }
        if (encrypted) {
            add(ENCRYPTED, locate(path));
        }
        for (ZipLayout.Header h : headers) {
            if (inside(data, h.offset())) {
                continue; // a zip stored inside an entry: its own inspection reads it
            }
            names.add(h.name());
            if (h.unicodeName() != null) {
                names.add(h.unicodeName());
            }
            if (!h.folder()) {
                // a name with a slash at its end that declares data: judged as the file it would be (see folderData)
                withData.add(h.name());
                if (h.unicodeName() != null) {
                    withData.add(h.unicodeName());
                }
            }
            if (h.central() && !central.contains(h.name())) {
                why.add("a second central directory");
            } else if (!h.central() && !listed.contains(h.offset())) {
                why.add("local headers the central directory does not list");
            }
        }
        long ends = ZipLayout.ends(bytes, 64).stream().filter(at -> !inside(data, at)).count();
        if (ends > 1) {
            why.add("more than one end of central directory");
        }
        if (!document) {
            for (String name : names) {
                if ((!name.endsWith("/") || withData.contains(name)) && judged.add(name)) {
                    names(name, path + "!/" + AttachmentNameAnalyzer.displayed(name));
                }
            }
        }
        if (!why.isEmpty()) {
            add(NOT_INSPECTED, path + ": zip that tools read differently (" + String.join("; ", why) + ")");
        }
    }

    private static boolean inside(List<long[]> ranges, long offset) {
        for (long[] r : ranges) {
            if (offset >= r[0] && offset < r[1]) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a document's part (lower case) is a macro of an OpenDocument file, which LibreOffice runs (on opening,
     * when an event is bound to it): a Basic module ({@code Basic/<library>/<module>.xml}; the library and container
     * indexes {@code script-lb.xml}, {@code script-lc.xml} and the dialogs' are not code) or a script in Python,
     * JavaScript or BeanShell ({@code Scripts/<language>/…}).
     */
    static boolean odfMacro(String lower) {
        String[] parts = lower.split("/", -1);
        if (parts[0].equals("scripts")) {
            String file = parts[parts.length - 1];
            return parts.length >= 3 && !parts[1].isEmpty() && !file.isEmpty() && !file.equals("parcel-descriptor.xml");
        }
        if (!parts[0].equals("basic") || !lower.endsWith(".xml")) {
            return false;
        }
        if (parts.length != 3 || parts[1].isEmpty()) {
            return false;
        }
        return !Set.of("script-lb.xml", "script-lc.xml", "dialog-lb.xml", "dialog-lc.xml").contains(parts[2]);
    }

    /**
     * Whether a document's part (lower case) is an embedded object: an OOXML document's {@code word/embeddings/},
     * {@code xl/embeddings/} or {@code ppt/embeddings/} parts, an ODF document's {@code Object <n>} files (its
     * {@code Object <n>/} folders are charts and formulas in ODF itself, its {@code ObjectReplacements/} their pictures).
     */
    static boolean embedding(String lower) {
        int slash = lower.indexOf('/');
        if (slash < 0) {
            return lower.startsWith("object ");
        }
        int file = slash + "/embeddings/".length();
        return lower.startsWith("/embeddings/", slash) && lower.length() > file && lower.indexOf('/', file) < 0;
    }

    /**
     * A relationship part of an Office Open XML document ({@link OfficeRelationships}), its first
     * {@link OfficeRelationships#MAX_PART_BYTES} bytes ({@code complete} when that is all of it): in an inspection, {@code OFFICE_REMOTE_CONTENT} for each template, OLE
     * object, frame or sub-document the document loads from a network address when opened ({@code report.docx:
     * attachedTemplate https://evil.example/t.dotm}), and a note that the document has links for the link analyzers
     * ({@link #linkSourcesInside()}); in a sink's walk, the part handed over when wanted, for those links.
     */
    private void relationships(String document, String entryPath, byte[] bytes, boolean complete) {
        if (sink != null) {
            int max = sink.wanted(ArchiveContents.Type.OFFICE_RELATIONSHIPS);
            if (max > 0) {
                byte[] taken = bytes.length <= max ? bytes : java.util.Arrays.copyOf(bytes, max);
                if (!sink.take(entryPath, ArchiveContents.Type.OFFICE_RELATIONSHIPS, taken,
                        complete && taken.length == bytes.length)) {
                    throw new Stop(ENOUGH);
                }
            }
            return;
        }
        String macro = OfficeRelationships.macro(bytes);
        if (macro != null) {
            // the evidence the part's usual name gives, so that a document named both ways is one finding
            add(OFFICE_MACRO, macro.equals("vbaProject") ? document : document + ": Excel 4 macro sheet");
        }
        for (OfficeRelationships.External external : OfficeRelationships.externals(bytes)) {
            if (external.remoteContent()) {
                add(REMOTE_CONTENT, document + ": " + external.kind() + " " + shown(external.target()));
            } else if (external.hyperlink()) {
                linkSourcesInside = true;
            }
        }
    }

    /**
     * A Word part that may hold fields, or an Excel external link, streamed: {@code OFFICE_DDE} for the document's first
     * DDE field or link ({@code report.docx: DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe"}), once per
     * document.
     */
    private void dde(String document, InputStream part) throws IOException {
        if (findings.stream().anyMatch(f -> f.code().equals(DDE) && f.evidence().startsWith(document + ": "))) {
            return;
        }
        OfficeFields.dde(part).ifPresent(instruction -> add(DDE, document + ": " + shown(instruction)));
    }

    /**
     * Text of a document shown in evidence: cut at {@value #MAX_TARGET_SHOWN} characters, control and format
     * characters written as {@code <U+202E>}.
     */
    private static String shown(String text) {
        if (text.length() > MAX_TARGET_SHOWN) {
            int cut = Character.isHighSurrogate(text.charAt(MAX_TARGET_SHOWN - 1)) ? MAX_TARGET_SHOWN - 1 : MAX_TARGET_SHOWN;
            text = text.substring(0, cut) + "…";
        }
        return AttachmentNameAnalyzer.displayed(text);
    }

    /** Whether a text file is comma- or tab-separated values, which Excel opens: by its name or declared type. */
    private static boolean csv(String name, String declared) {
        String lower = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        return lower.endsWith(".csv") || lower.endsWith(".tsv")
                || (declared != null && (declared.equals("text/csv") || declared.equals("text/tab-separated-values")
                        || declared.equals("application/csv")));
    }

    /** A tar, cpio or ar archive: entries one after the other, each read as it comes. */
    private void entries(String path, org.apache.commons.compress.archivers.ArchiveInputStream<?> tar, int depth)
            throws IOException {
        try {
            for (org.apache.commons.compress.archivers.ArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                entry(path);
                String name = e.getName();
                if (e instanceof TarArchiveEntry t && fileUnderFolderName(t)) {
                    // a regular file's header under a folder's name (invoice.js/) with data: GNU tar, bsdtar and 7-Zip
                    // make a folder of it and skip the data, but no archiver writes one, and the data is what a reader
                    // taking the header's type at its word writes out as invoice.js; judged as that file. Commons
                    // Compress reads no data of an entry named as a folder: the entry it returned (the one it reads)
                    // is renamed without the slash
                    t.setName(name.substring(0, name.length() - 1));
                }
                if (e.isDirectory() || (e instanceof TarArchiveEntry t && !t.isFile())) {
                    continue;
                }
                if (!tar.canReadEntryData(e)) {
                    add(NOT_INSPECTED, path + "!/" + AttachmentNameAnalyzer.displayed(name) + ": unreadable entry");
                    continue;
                }
                String entryPath = path + "!/" + AttachmentNameAnalyzer.displayed(name);
                names(name, entryPath);
                Metered content = new Metered(tar, null, entryPath);
                nested(entryPath, lastSegment(name), content, depth + 1);
                content.drain();
            }
        } catch (Stop stop) {
            throw stop;
        } catch (IOException | RuntimeException e) {
            add(NOT_INSPECTED, path + ": damaged archive (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Whether a tar header is a regular file's (type {@code 0}, or NUL in old archives) under a name ending in a slash,
     * with data: what old tar programs took for a folder.
     */
    private static boolean fileUnderFolderName(TarArchiveEntry t) {
        return (t.getLinkFlag() == TarArchiveEntry.LF_NORMAL || t.getLinkFlag() == TarArchiveEntry.LF_OLDNORM)
                && !t.isPaxHeader() && !t.isGlobalPaxHeader() && t.getName().endsWith("/") && t.getSize() > 0;
    }

    /**
     * A RAR archive, from its headers ({@link RarEntries}): every entry's name is judged, encrypted entries are
     * {@code ENCRYPTED_ARCHIVE}, and entries stored without compression are inspected like the files of any other
     * archive. Compressed entries are unpacked by libarchive ({@link RarUnpacker}) when it is at hand and the archive is
     * whole and unencrypted, and inspected the same way; those that cannot be unpacked are
     * {@code ATTACHMENT_NOT_INSPECTED}, once per archive with their number and why.
     */
    private void rar(String path, InputStream whole, int depth) throws IOException {
        RarUnpacker unpacker = this.unpacker != null ? this.unpacker : RarUnpacker.system();
        if (!unpacker.available()) {
            rarFromHeaders(path, whole, depth, null);
            return;
        }
        byte[] bytes = whole.readNBytes(limits.maxBufferBytes() + 1);
        if (bytes.length > limits.maxBufferBytes()) {
            // too large to hand over whole: its headers and stored entries only
            rarFromHeaders(path, new SequenceInputStream(new ByteArrayInputStream(bytes), whole), depth, null);
            return;
        }
        List<String> compressed = new ArrayList<>();
        rarFromHeaders(path, new ByteArrayInputStream(bytes), depth, compressed);
        if (!compressed.isEmpty()) {
            rarUnpacked(path, bytes, compressed, depth, unpacker);
        }
    }

    /**
     * A RAR archive read from its headers: names judged, encryption found, stored entries inspected. Its compressed
     * entries are either added to {@code unpack} (when given, and the archive was read to its end without damage or
     * encryption) or reported as not inspected.
     */
    private void rarFromHeaders(String path, InputStream whole, int depth, List<String> unpack) throws IOException {
        boolean encryptedSeen = false;
        List<String> compressed = new ArrayList<>();
        try {
            RarEntries rar = new RarEntries(whole);
            for (RarEntries.Entry e; (e = rar.next()) != null; ) {
                entry(path);
                if (e.directory()) {
                    continue;
                }
                String entryPath = path + "!/" + AttachmentNameAnalyzer.displayed(e.name());
                names(e.name(), entryPath);
                if (e.encrypted()) {
                    if (!encryptedSeen) {
                        add(ENCRYPTED, locate(path));
                        encryptedSeen = true;
                    }
                    continue;
                }
                if (!e.stored()) {
                    if (e.size() > RATIO_FLOOR && e.packedSize() > 0 && e.size() / e.packedSize() > limits.maxRatio()) {
                        throw bomb(entryPath + ": declared to expand more than " + limits.maxRatio() + "×");
                    }
                    compressed.add(e.name());
                    continue;
                }
                Metered content = new Metered(rar.data(), null, entryPath);
                nested(entryPath, lastSegment(e.name()), content, depth + 1);
                content.drain();
            }
        } catch (Stop stop) {
            throw stop;
        } catch (IOException | RuntimeException e) {
            add(NOT_INSPECTED, path + ": damaged archive (" + e.getClass().getSimpleName() + ")");
            return;
        }
        if (unpack != null && !encryptedSeen) {
            unpack.addAll(compressed);
        } else if (!compressed.isEmpty()) {
            add(NOT_INSPECTED, path + ": " + compressed.size() + " compressed RAR "
                    + (compressed.size() == 1 ? "entry" : "entries") + " not unpacked (names checked)");
        }
    }

    /**
     * The compressed entries of a RAR archive ({@code names}, as its headers give them), unpacked by {@code unpacker}
     * and inspected; its stored entries, which come along in the unpacker's stream, were inspected from the headers
     * and are passed over.
     */
    private void rarUnpacked(String path, byte[] bytes, List<String> names, int depth, RarUnpacker unpacker)
            throws IOException {
        Map<String, Integer> wanted = new HashMap<>();
        for (String name : names) {
            wanted.merge(unpackedName(name), 1, Integer::sum);
        }
        int unpacked = 0;
        boolean late = false;
        try (RarUnpacker.Unpacking run = unpacker.start(bytes)) {
            try {
                TarArchiveInputStream tar = new TarArchiveInputStream(run.tar(), StandardCharsets.UTF_8.name());
                for (TarArchiveEntry e; unpacked < names.size() && (e = tar.getNextEntry()) != null; ) {
                    if (!e.isFile()) {
                        continue;
                    }
                    if (wanted.merge(unpackedName(e.getName()), -1, Integer::sum) < 0) {
                        if (e.getSize() > bytes.length) {
                            break; // not a stored entry, which is never larger than its archive: unaccounted for
                        }
                        continue; // a stored entry, inspected already
                    }
                    unpacked++;
                    String entryPath = path + "!/" + AttachmentNameAnalyzer.displayed(e.getName());
                    // the whole archive's size is the ratio's measure: the tar stream does not carry packed sizes
                    Metered content = new Metered(tar, () -> bytes.length, entryPath);
                    nested(entryPath, lastSegment(e.getName()), content, depth + 1);
                    content.drain();
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof Stop stop) {
                    throw stop;
                }
                // the stream broke off (damaged or unsupported data): what came before was inspected
            }
            late = run.timedOut();
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new Stop(null); // the analysis budget ended the unpacking: not a finding about the archive
        }
        int missing = names.size() - unpacked;
        if (missing > 0) {
            add(NOT_INSPECTED, path + ": " + missing + " compressed RAR " + (missing == 1 ? "entry" : "entries")
                    + " not unpacked (" + (late ? "took longer than " + unpacker.wall().toSeconds() + " s"
                    : "damaged or unsupported") + "; names checked)");
        }
    }

    /** An entry's name as both the RAR headers and the unpacker's tar stream give it: without leading slashes. */
    private static String unpackedName(String name) {
        String n = name.replace('\\', '/');
        while (n.startsWith("/") || n.startsWith("./")) {
            n = n.substring(n.startsWith("/") ? 1 : 2);
        }
        return n;
    }

    /**
     * A gzip file: the one file gunzip writes out of it ({@link Gunzipped}: every member, one after the other), named as
     * gunzip and 7-Zip name it. Damage, and bytes other than zeros after the last member, are
     * {@code ATTACHMENT_NOT_INSPECTED}, after the data before them was inspected.
     */
    private void gzip(String path, String name, InputStream whole, int depth) throws IOException {
        try {
            Gunzipped gz = new Gunzipped(whole);
            String stored = gz.storedName();
            String base = name == null ? "" : name;
            String lower = base.toLowerCase(Locale.ROOT);
            // what gunzip names the file it writes (without -N), which is also what Windows' tools show
            String unpacked = lower.endsWith(".tgz") ? base.substring(0, base.length() - 4) + ".tar"
                    : lower.endsWith(".gz") ? base.substring(0, base.length() - 3) : null;
            String inner = stored != null && !stored.isBlank() ? stored : unpacked != null ? unpacked : "data";
            entry(path);
            String innerPath = path + "!/" + AttachmentNameAnalyzer.displayed(inner);
            // both names are judged: 7-Zip and gunzip -N take the stored one, gunzip and most others the outer one
            if (stored != null && !stored.isBlank()) {
                names(stored, innerPath);
            }
            if (unpacked != null && !unpacked.isBlank() && !unpacked.equals(stored)) {
                names(unpacked, path + "!/" + AttachmentNameAnalyzer.displayed(unpacked));
            }
            Metered content = new Metered(gz, gz::compressedCount, innerPath);
            nested(innerPath, lastSegment(inner), content, depth + 1);
            content.drain();
            if (gz.damage() != null) {
                add(NOT_INSPECTED, path + ": damaged archive (" + gz.damage().getClass().getSimpleName() + ")");
            } else if (gz.trailingData() > 0) {
                add(NOT_INSPECTED, path + ": " + gz.trailingData() + " bytes after the compressed data, not inspected");
            }
        } catch (Stop stop) {
            throw stop;
        } catch (IOException | RuntimeException e) {
            add(NOT_INSPECTED, path + ": damaged archive (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * The file gunzip writes out of a gzip file: the data of its members one after the other, as one file (the first
     * bytes of a program may be in one member and the rest in the next), up to what follows the last member, which
     * gunzip passes over (zeros in silence, other bytes with a warning: {@link #trailingData}). Damage ends the data
     * where it is, after the bytes decompressed before it, which gunzip and 7-Zip have written out by then
     * ({@link #damage}); reading on is not an error. Each member is read by Commons Compress, one at a time from a
     * buffered stream that it leaves just after the member.
     */
    private static final class Gunzipped extends InputStream {
        private final Counted counted;
        private final InputStream in;
        private final String storedName;
        private GzipCompressorInputStream member;
        private Exception damage;
        private long trailingData;
        private boolean ended;

        /** @throws IOException when the file does not start with a gzip member's header */
        Gunzipped(InputStream whole) throws IOException {
            counted = new Counted(whole);
            in = new java.io.BufferedInputStream(counted);
            member = new GzipCompressorInputStream(in, false);
            storedName = member.getMetaData().getFileName();
        }

        /** The name the first member's header gives, or {@code null}. */
        String storedName() {
            return storedName;
        }

        /** The compressed bytes read so far, for the ratio limit. */
        long compressedCount() {
            return counted.count();
        }

        /** What ended the data before the end of the file, or {@code null}. */
        Exception damage() {
            return damage;
        }

        /** How many bytes follow the last member, when they are not all zeros (0 when nothing or only zeros do). */
        long trailingData() {
            return trailingData;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (!ended) {
                long before = member.getUncompressedCount();
                int n;
                try {
                    n = member.read(b, off, len);
                } catch (IOException | RuntimeException e) {
                    if (e instanceof Stop stop) {
                        throw stop;
                    }
                    // a member's check (its CRC, its size) fails after its last bytes were decompressed into b: they
                    // are what the tools wrote out before saying so
                    damage = e;
                    ended = true;
                    int decompressed = (int) (member.getUncompressedCount() - before);
                    return decompressed > 0 ? decompressed : -1;
                }
                if (n >= 0) {
                    return n;
                }
                next();
            }
            return -1;
        }

        /** After a member: the next one, or the end (what follows, if anything, is counted). */
        private void next() throws IOException {
            in.mark(2);
            int b0 = in.read();
            int b1 = b0 < 0 ? -1 : in.read();
            in.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                try {
                    member = new GzipCompressorInputStream(in, false);
                } catch (IOException e) {
                    damage = e;
                    ended = true;
                }
                return;
            }
            ended = true;
            long after = 0;
            boolean zeros = true;
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) >= 0; ) {
                after += n;
                for (int i = 0; i < n && zeros; i++) {
                    zeros = buf[i] == 0;
                }
            }
            trailingData = zeros ? 0 : after;
        }

        @Override
        public void close() {
            // the archive stream it reads from stays open for the next entry
        }
    }

    /**
     * A file compressed by bzip2, xz, LZMA, Zstandard or compress(1): one file inside, named as the tools that
     * unpack it name it, the outer name without its suffix (a .tbz2, .txz, .tzst, .taz or .tlz being a tar).
     */
    private void decompressed(String path, String name, InputStream whole, int depth, FileSignatures.Compression format)
            throws IOException {
        Counted counted = new Counted(whole);
        try {
            InputStream in = switch (format) {
                // every stream, as bunzip2, xz -d and 7-Zip write them all out, one after the other
                case BZIP2 -> new org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream(counted, true);
                case XZ -> new org.apache.commons.compress.compressors.xz.XZCompressorInputStream(counted, true, MEMORY_KIB);
                case LZMA -> new org.apache.commons.compress.compressors.lzma.LZMACompressorInputStream(counted, MEMORY_KIB);
                case ZSTD -> new io.airlift.compress.zstd.ZstdInputStream(counted);
                case UNIX_COMPRESS -> new org.apache.commons.compress.compressors.z.ZCompressorInputStream(counted, MEMORY_KIB);
            };
            String base = name == null ? "" : name;
            String lower = base.toLowerCase(Locale.ROOT);
            String inner = "data";
            for (String[] suffix : SUFFIXES.getOrDefault(format, new String[0][])) {
                if (lower.endsWith(suffix[0]) && lower.length() > suffix[0].length()) {
                    inner = base.substring(0, base.length() - suffix[0].length()) + suffix[1];
                    break;
                }
            }
            entry(path);
            String innerPath = path + "!/" + AttachmentNameAnalyzer.displayed(inner);
            names(inner, innerPath);
            Metered content = new Metered(in, counted::count, innerPath);
            nested(innerPath, lastSegment(inner), content, depth + 1);
            content.drain();
        } catch (Stop stop) {
            throw stop;
        } catch (IOException | RuntimeException e) {
            add(NOT_INSPECTED, path + ": damaged archive (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The memory a decompressor may take for its dictionary, as for 7z archives. */
    private static final int MEMORY_KIB = 64 * 1024;

    /** The suffixes each compressor's tools take off the name of the file they unpack, and what they put instead. */
    private static final Map<FileSignatures.Compression, String[][]> SUFFIXES = Map.of(
            FileSignatures.Compression.BZIP2, new String[][] {{".tbz2", ".tar"}, {".tbz", ".tar"}, {".bz2", ""}, {".bz", ""}},
            FileSignatures.Compression.XZ, new String[][] {{".txz", ".tar"}, {".xz", ""}},
            FileSignatures.Compression.LZMA, new String[][] {{".tlz", ".tar"}, {".lzma", ""}},
            FileSignatures.Compression.ZSTD, new String[][] {{".tzst", ".tar"}, {".zst", ""}},
            FileSignatures.Compression.UNIX_COMPRESS, new String[][] {{".taz", ".tar"}, {".z", ""}});

    /** Archive types by Tika's names that Mamori cannot open, named for the evidence. */
    private static final Map<String, String> UNOPENED_TYPES = Map.ofEntries(
            Map.entry("application/x-lha", "LZH"), Map.entry("application/x-lharc", "LZH"),
            Map.entry("application/vnd.ms-cab-compressed", "CAB"), Map.entry("application/x-ace-compressed", "ACE"),
            Map.entry("application/x-arj", "ARJ"), Map.entry("application/x-stuffit", "StuffIt"),
            Map.entry("application/x-stuffitx", "StuffIt X"), Map.entry("application/x-rpm", "RPM"),
            Map.entry("application/x-zoo", "ZOO"), Map.entry("application/x-lzip", "lzip"),
            Map.entry("application/x-lz4", "LZ4"), Map.entry("application/x-uc2-compressed", "UC2"),
            Map.entry("application/x-ms-compress-szdd", "SZDD"), Map.entry("application/x-xar", "XAR"));

    /** Counts the compressed bytes a decompressor has read, for the ratio limit. */
    private static final class Counted extends java.io.FilterInputStream {
        private long count;

        Counted(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count += Math.max(0, n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }

    private void sevenZip(String path, InputStream whole, int depth) throws IOException {
        byte[] bytes = buffered(path, whole);
        if (bytes == null) {
            return;
        }
        try (SevenZFile archive = SevenZFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(bytes))
                .setMaxMemoryLimitKiB(64 * 1024).get()) {
            long declared = 0;
            for (SevenZArchiveEntry e : archive.getEntries()) {
                declared += e.hasStream() ? Math.max(0, e.getSize()) : 0;
            }
            if (declared > RATIO_FLOOR && declared / Math.max(1, bytes.length) > limits.maxRatio()) {
                throw bomb(path + ": declared to expand more than " + limits.maxRatio() + "×");
            }
            boolean encrypted = false;
            for (SevenZArchiveEntry e; (e = archive.getNextEntry()) != null; ) {
                entry(path);
                if (e.isDirectory() || !e.hasStream()) {
                    continue;
                }
                String entryPath = path + "!/" + AttachmentNameAnalyzer.displayed(e.getName());
                names(e.getName(), entryPath);
                if (encrypted(e)) {
                    // its name is judged; its content needs the password (tried below, on the attachment)
                    encrypted = true;
                    continue;
                }
                Metered content = new Metered(archive.getInputStream(e), null, entryPath);
                nested(entryPath, lastSegment(e.getName()), content, depth + 1);
                content.drain();
            }
            if (encrypted) {
                throw new PasswordRequiredException(path);
            }
        } catch (PasswordRequiredException e) {
            // the content is encrypted, or the header too (7z -mhe=on: then Commons Compress says so on opening)
            add(ENCRYPTED, locate(path));
            if (depth == 0 && sink == null) {
                openSevenZip(path, bytes);
            }
        } catch (Stop stop) {
            throw stop;
        } catch (IOException | RuntimeException e) {
            add(NOT_INSPECTED, path + ": damaged archive (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Whether a 7z entry's content is AES-encrypted (its folder's coders, set once {@code getNextEntry} reached it). */
    private static boolean encrypted(SevenZArchiveEntry e) {
        Iterable<? extends org.apache.commons.compress.archivers.sevenz.SevenZMethodConfiguration> methods =
                e.getContentMethods();
        if (methods == null) {
            return false;
        }
        for (org.apache.commons.compress.archivers.sevenz.SevenZMethodConfiguration m : methods) {
            if (m.getMethod() == org.apache.commons.compress.archivers.sevenz.SevenZMethod.AES256SHA256) {
                return true;
            }
        }
        return false;
    }

    /**
     * Opens an encrypted 7z attachment with the first of the passwords the message or its password mail gives that
     * opens it ({@link ArchivePasswords#openSevenZip}), at most {@value ArchivePasswords#MAX_SEVEN_ZIPS} a message (each
     * password try costs a key derivation), and inspects its files as {@link #openWithPasswords} does a zip's: the
     * findings of {@link #opened}, the files' names judged (an encrypted header hid them) and their content inspected
     * within the message's budgets; one that holds more than {@link ArchiveLimits#maxBufferBytes()} decrypted is
     * {@code ATTACHMENT_NOT_INSPECTED}. How it is had again is kept for {@link #opener}.
     */
    private void openSevenZip(String path, byte[] bytes) {
        if (sevenZipsTried >= ArchivePasswords.MAX_SEVEN_ZIPS) {
            return;
        }
        ArchivePasswords.Candidates candidates = passwords.get();
        if (candidates.all().isEmpty()) {
            return;
        }
        sevenZipsTried++;
        Optional<ArchivePasswords.Opened> opened = ArchivePasswords.openSevenZip(bytes, candidates.all(),
                limits.maxEntries(), limits.maxBufferBytes());
        if (Thread.currentThread().isInterrupted()) {
            throw new Stop(null);
        }
        if (!openable(path, opened)) {
            return;
        }
        keepOpener(opened.get().password(), new ArchivePasswords.Reopened(null, opened.get().files()));
        opened(path, candidates, opened.get().password());
        try {
            // counted and named here: an encrypted header hid the entries from the walk
            inspectFiles(path, opened.get().files(), true, true);
        } catch (IOException e) {
            // arrays do not fail to read
        }
    }

    /**
     * Whether a password opened an archive ({@code opened} present); one it might open but that holds more than the
     * bytes or entries allowed is {@code ATTACHMENT_NOT_INSPECTED}, not opened.
     */
    private boolean openable(String path, Optional<ArchivePasswords.Opened> opened) {
        if (opened.isPresent() && opened.get().tooLarge()) {
            add(NOT_INSPECTED, path + ": a password given for it may open it, but it holds more than "
                    + limits.maxBufferBytes() / (1024 * 1024) + " MiB or " + limits.maxEntries() + " entries; not opened");
            return false;
        }
        return opened.isPresent();
    }

    /**
     * The decrypted files of an archive a password opened, inspected as its entries ({@code a.zip!/b.pdf}): counted as
     * entries when {@code count}, their names judged when {@code judgeNames}, their content within the message's
     * budgets.
     */
    private void inspectFiles(String path, List<ArchivePasswords.File> files, boolean count, boolean judgeNames)
            throws IOException {
        for (ArchivePasswords.File f : files) {
            if (count) {
                entry(path);
            }
            String entryPath = path + "!/" + AttachmentNameAnalyzer.displayed(f.name());
            if (judgeNames) {
                names(f.name(), entryPath);
            }
            Metered content = new Metered(new ByteArrayInputStream(f.bytes()), null, entryPath);
            nested(entryPath, lastSegment(f.name()), content, 1);
            content.drain();
        }
    }

    /** A file inside an archive: damage stays local to it, budgets and cancellation end everything. */
    private void nested(String path, String name, InputStream in, int depth) {
        pendingPage = null;
        try {
            file(path, name, null, nonClosing(in), depth);
        } catch (Stop stop) {
            throw stop;
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new Stop(null);
            }
            add(NOT_INSPECTED, path + ": unreadable (" + e.getClass().getSimpleName() + ")");
        }
    }

    private void names(String entryName, String entryPath) {
        List<Finding> found = new ArrayList<>();
        AttachmentNameAnalyzer.judge(lastSegment(entryName), entryPath, found);
        findings.addAll(found);
    }

    private void entry(String archive) {
        if (Thread.currentThread().isInterrupted()) {
            throw new Stop(null);
        }
        if (sink != null && sink.expired()) {
            throw new Stop(ENOUGH);
        }
        if (++entries > limits.maxEntries()) {
            throw bomb(archive + ": more than " + limits.maxEntries() + " archive entries");
        }
    }

    private void documentEntry(String document) {
        if (Thread.currentThread().isInterrupted()) {
            throw new Stop(null);
        }
        if (sink != null && sink.expired()) {
            throw new Stop(ENOUGH);
        }
        if (++documentEntries > DOCUMENT_FACTOR * limits.maxEntries()) {
            throw new Stop(Finding.of(NOT_INSPECTED, document + ": document has more than "
                    + DOCUMENT_FACTOR * limits.maxEntries() + " parts; the rest was not inspected"));
        }
    }

    /**
     * Whether a zip entry's data can be inspected, the same for the front-to-back and the central-directory reading: an
     * unsupported method is said so, and a declared expansion past the limit stops the archive as a bomb.
     */
    private boolean inspectable(org.apache.commons.compress.archivers.zip.ZipArchiveEntry e, boolean canRead, String entryPath) {
        if (!canRead) {
            add(NOT_INSPECTED, entryPath + ": unsupported compression method " + e.getMethod());
            return false;
        }
        if (e.getSize() > RATIO_FLOOR && e.getCompressedSize() > 0 && e.getSize() / e.getCompressedSize() > limits.maxRatio()) {
            throw bomb(entryPath + ": declared to expand more than " + limits.maxRatio() + "×");
        }
        return true;
    }

    /** {@link #folderData}: the entry holds nothing, a folder as its name says. */
    private static final int NO_DATA = -1;
    /** {@link #folderData}: the entry declares data that cannot be read here (encrypted, an unsupported method). */
    private static final int UNREAD_DATA = -2;

    /**
     * Whether a zip entry named as a folder ({@code invoice.js/}) holds data: 7-Zip, libarchive (bsdtar, Windows 11's
     * Explorer), Info-ZIP and Python make a folder of it and drop the data, but no archiver writes data under a folder's
     * name, and a reader that takes the entry as a file writes it out as the file its name without the slash names. Such
     * an entry is judged as that file rather than passed over. The first byte of its data ({@code in}, which is read
     * once whatever the declared sizes say: an attacker writes those too), {@link #NO_DATA} for a true folder, or
     * {@link #UNREAD_DATA} when a size is declared but {@code in} is {@code null} (unreadable) or it is encrypted.
     */
    private static int folderData(ZipArchiveEntry e, InputStream in) throws IOException {
        if (e.getGeneralPurposeBit().usesEncryption() || in == null) {
            // by the declared size alone: an encrypted folder has compressed bytes of its own (ZipCrypto's header,
            // AES's salt and check), and a size unknown until a data descriptor is no claim of data
            return e.getSize() > 0 ? UNREAD_DATA : NO_DATA;
        }
        int first = in.read();
        return first < 0 ? NO_DATA : first;
    }

    private Stop bomb(String evidence) {
        return new Stop(Finding.of(ARCHIVE_BOMB, evidence));
    }

    /** The whole file in memory for a parser that needs random access, or {@code null} (and a finding) if too big. */
    private byte[] buffered(String path, InputStream whole) throws IOException {
        byte[] bytes = whole.readNBytes(limits.maxBufferBytes() + 1);
        if (bytes.length > limits.maxBufferBytes()) {
            add(NOT_INSPECTED, path + ": larger than " + limits.maxBufferBytes() / (1024 * 1024) + " MiB, not opened");
            return null;
        }
        return bytes;
    }

    private String detect(byte[] head) {
        try {
            MediaType type = TikaTypes.TYPES.detect(new ByteArrayInputStream(head), new Metadata());
            return type.getBaseType().toString();
        } catch (IOException e) {
            return "application/octet-stream";
        }
    }

    /** What the content is, from our signatures first and Tika's detection for the rest. */
    static Kind kind(byte[] head, int n, String contentType) {
        if (FileSignatures.isOle2(head, n)) {
            return Kind.OLE2;
        }
        if (FileSignatures.isZip(head, n)) {
            return Kind.ZIP;
        }
        if (FileSignatures.isSevenZip(head, n) || FileSignatures.isRar(head, n) || FileSignatures.isGzip(head, n)
                || FileSignatures.isTar(head, n) || FileSignatures.compression(head, n) != null
                || FileSignatures.isCpio(head, n) || FileSignatures.isAr(head, n) || FileSignatures.isTnef(head, n)
                || FileSignatures.unopenedArchive(head, n) != null || UNOPENED_TYPES.containsKey(contentType)) {
            return Kind.ARCHIVE;
        }
        if (FileSignatures.isRtf(head, n)) {
            return Kind.RTF;
        }
        if (FileSignatures.isPdf(head, n)) {
            return Kind.PDF;
        }
        if (contentType.startsWith("image/")) {
            return Kind.IMAGE;
        }
        if (contentType.equals("text/html") || contentType.equals("application/xhtml+xml")) {
            return Kind.HTML;
        }
        if (contentType.startsWith("text/") || contentType.endsWith("xml")) {
            return Kind.TEXT;
        }
        return Kind.UNKNOWN;
    }

    /** What a file's name (or, without one, its declared media type) says it is. */
    private static Kind promised(String name, String declared) {
        if (name != null) {
            return NAMED.getOrDefault(AttachmentNameAnalyzer.extension(AttachmentNameAnalyzer.windowsName(name)), Kind.UNKNOWN);
        }
        if (declared == null) {
            return Kind.UNKNOWN;
        }
        if (declared.equals("application/pdf")) {
            return Kind.PDF;
        }
        if (TNEF_TYPES.contains(declared)) {
            return Kind.ARCHIVE; // not an Office document, as application/vnd.ms-tnef would make it below
        }
        if (declared.startsWith("image/")) {
            return Kind.IMAGE;
        }
        if (declared.equals("application/msword") || declared.startsWith("application/vnd.ms-")
                || declared.startsWith("application/vnd.openxmlformats-officedocument.")) {
            return Kind.OFFICE;
        }
        if (declared.equals("application/zip") || declared.equals("application/x-zip-compressed")) {
            return Kind.ZIP;
        }
        return Kind.UNKNOWN;
    }

    /**
     * Whether the content contradicts the name. Lenient where programs legitimately differ: Office opens OLE2,
     * OOXML, RTF, HTML and text under any Office extension (old systems export HTML as .xls), an image under
     * another image extension is still an image, and content nobody can recognise proves nothing.
     */
    static boolean mismatch(Kind promised, Kind content) {
        if (promised == Kind.UNKNOWN || content == Kind.UNKNOWN || promised == content) {
            return false;
        }
        return switch (promised) {
            case OFFICE -> !Set.of(Kind.OLE2, Kind.ZIP, Kind.RTF, Kind.HTML, Kind.TEXT).contains(content);
            case RTF -> !Set.of(Kind.OLE2, Kind.ZIP).contains(content);
            case ARCHIVE -> content != Kind.ZIP;
            case HTML -> content != Kind.TEXT;
            case TEXT -> content != Kind.HTML;
            default -> true;
        };
    }

    private static boolean binary(byte[] head, int n) {
        for (int i = 0; i < Math.min(n, 4096); i++) {
            if (head[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Zip entry names without the UTF-8 flag are in the creator's code page; Japanese Windows writes CP932,
     * so a name that is not valid UTF-8 is read as CP932 (the extension is ASCII either way).
     */
    private static String entryName(ZipArchiveEntry e) {
        byte[] raw = e.getRawName();
        if (raw == null || e.getGeneralPurposeBit().usesUTF8ForNames()) {
            return e.getName();
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException notUtf8) {
            return new String(raw, Charset.forName("MS932"));
        }
    }

    private static String lastSegment(String entryName) {
        String s = entryName.replace('\\', '/');
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.substring(s.lastIndexOf('/') + 1);
    }

    private static Map<String, Kind> names() {
        Map<String, Kind> m = new java.util.HashMap<>();
        m.put("pdf", Kind.PDF);
        for (String e : List.of("doc", "dot", "xls", "xlt", "ppt", "pps", "pot", "docx", "docm", "dotx", "dotm", "xlsx",
                "xlsm", "xlsb", "xltx", "xltm", "pptx", "pptm", "ppsx", "ppsm", "potx", "odt", "ods", "odp")) {
            m.put(e, Kind.OFFICE);
        }
        for (String e : List.of("jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp", "heic")) {
            m.put(e, Kind.IMAGE);
        }
        m.put("zip", Kind.ZIP);
        for (String e : List.of("7z", "rar", "gz", "tgz", "tar")) {
            m.put(e, Kind.ARCHIVE);
        }
        m.put("rtf", Kind.RTF);
        m.put("html", Kind.HTML);
        m.put("htm", Kind.HTML);
        m.put("txt", Kind.TEXT);
        m.put("csv", Kind.TEXT);
        return Map.copyOf(m);
    }

    private static InputStream nonClosing(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public void close() {
                // the archive stream it reads from stays open for the next entry
            }
        };
    }

    /** Ends the inspection of a message: a budget finding, or {@code null} for cancellation. */
    private static final class Stop extends RuntimeException {
        final transient Finding finding;

        Stop(Finding finding) {
            super(null, null, false, false);
            this.finding = finding;
        }
    }

    /**
     * An entry's decompressed bytes, counted against the message's total and, where the compressed count is
     * known, the entry's ratio; the archive is abandoned as a bomb the moment either is passed, so a bomb costs
     * at most about the limits' worth of work. Also where cancellation is noticed.
     */
    private final class Metered extends InputStream {
        private final InputStream in;
        private final LongSupplier compressed;
        private final String path;
        private final boolean document;
        private long count;

        Metered(InputStream in, LongSupplier compressed, String path) {
            this(in, compressed, path, false);
        }

        Metered(InputStream in, LongSupplier compressed, String path, boolean document) {
            this.in = in;
            this.compressed = compressed;
            this.path = path;
            this.document = document;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (Thread.currentThread().isInterrupted()) {
                throw new Stop(null);
            }
            if (sink != null && sink.expired()) {
                throw new Stop(ENOUGH);
            }
            int n = in.read(b, off, len);
            if (n > 0 && document) {
                count += n;
                documentExpanded += n;
                if (documentExpanded > limits.maxTotalBytes() || (compressed != null && count > RATIO_FLOOR
                        && count / Math.max(1, compressed.getAsLong()) > (long) DOCUMENT_FACTOR * limits.maxRatio())) {
                    throw new Stop(Finding.of(NOT_INSPECTED, path + ": document part too large to inspect"));
                }
            } else if (n > 0) {
                count += n;
                expanded += n;
                if (expanded > limits.maxTotalBytes()) {
                    throw bomb(path + ": archives expand beyond " + limits.maxTotalBytes() / (1024 * 1024) + " MiB");
                }
                if (compressed != null && count > RATIO_FLOOR && count / Math.max(1, compressed.getAsLong()) > limits.maxRatio()) {
                    throw bomb(path + ": expands more than " + limits.maxRatio() + "×");
                }
            }
            return n;
        }

        @Override
        public void close() {
            // the archive stream it reads from stays open for the next entry
        }

        void drain() throws IOException {
            PendingPage page = pendingPage;
            pendingPage = null;
            byte[] buf = new byte[16 * 1024];
            for (int n; (n = read(buf, 0, buf.length)) >= 0; ) {
                // counted in read
                if (page != null && n > 0 && !page.more(buf, n)) {
                    page = null;
                }
            }
            if (page != null) {
                page.end();
            }
        }
    }
}
