package io.mamori.core.attachment;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.MessageMemo;
import io.mamori.core.message.PartContent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The files inside a message's archives, for the analyzers that look at files of a kind wherever they are: PDFs and
 * pictures (the link analyzers' {@code EmbeddedLinks}), HTML and SVG pages ({@link HtmlAttachmentAnalyzer}, which
 * takes them from the attachment analyzer's inspection and walks with this only where that does not fit). It is
 * the walk of {@link AttachmentContentAnalyzer} (zip, 7z, gzip, tar and stored RAR entries, and the attachments of
 * TNEF streams, nested within one another; not those of Outlook messages, which it does not open), under the same
 * {@link ArchiveLimits} per message, handing over the files wanted instead of inspecting them: one archive reader and one set of bounds for every analyzer, rather than a second reader whose limits could
 * drift from the first.
 * Encrypted entries are not opened by the walk itself; an encrypted attachment that a password opened in the
 * attachment analyzer's inspection is walked decrypted, by {@link #walkOpened}. Of an Office
 * Open XML document, attached or inside an archive, only its pictures
 * ({@code word/media/}, {@code xl/media/}, {@code ppt/media/}, by content), its relationship parts and a Word
 * document's main part are handed over,
 * and only while they are wanted (a walk for pages alone does not open documents). A file's evidence path is
 * {@code invoice.zip!/a/invoice.html} (a document's picture: {@code invoice.zip!/report.docx!/word/media/image1.png},
 * or {@code report.docx!/word/media/image1.png} for an attached one) as in the attachment analyzer's findings. Bounded
 * besides the archive limits: at most {@code maxBytes} bytes handed over per message, and the walk ends as soon as
 * the visitor says so. Not thread-safe: one instance per message and analyzer call.
 */
public final class ArchiveContents {

    /** The kinds of files handed over. */
    public enum Type {
        /** An HTML, XHTML, SVG or MHTML file, by its name. */
        HTML,
        /** A PDF, by its content. */
        PDF,
        /** A PNG, JPEG, GIF, BMP, TIFF or WebP picture, by its content. */
        PICTURE,
        /**
         * A RAR archive inside another archive, by its content: when wanted, handed over whole instead of walked (the
         * antivirus analyzer has it unpacked for the engine, {@link RarUnpacker#asTar}).
         */
        RAR,
        /**
         * The file of a zip entry compressed with Zstandard (method 93, or 20 of older writers), whatever it is: when
         * wanted, handed over instead of walked (the antivirus engine cannot decompress such an entry, so the antivirus
         * analyzer has the file scanned on its own; an archive in it the engine opens itself), and walked on only when
         * it is an archive, for the Zstandard entries of a zip in it, which the engine cannot decompress either.
         */
        ZSTD_FILE,
        /**
         * A relationship part of an Office Open XML document ({@code word/_rels/document.xml.rels}), attached or
         * inside an archive: its first bytes ({@link OfficeRelationships#MAX_PART_BYTES} at most), for the
         * document's external links ({@link OfficeRelationships}).
         */
        OFFICE_RELATIONSHIPS,
        /**
         * The main part of a Word document ({@code word/document.xml}), attached or inside an archive: its first bytes,
         * for how much text the document has ({@link OfficeText}).
         */
        WORD_DOCUMENT
    }

    /**
     * One file inside an archive.
     *
     * @param path     where it is, as evidence names it: {@code invoice.zip!/invoice.html}
     * @param type     what it is
     * @param bytes    its content, or its first bytes (at most the maximum asked for its type)
     * @param complete whether {@code bytes} is the whole file
     */
    public record File(String path, Type type, byte[] bytes, boolean complete) {
        public File {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(bytes, "bytes");
        }
    }

    /** Receives the files, one at a time; the bytes are not kept by the walk. */
    @FunctionalInterface
    public interface Visitor {
        /** Examines one file; {@code false} ends the walk (no more files, in this or later attachments). */
        boolean visit(File file);
    }

    /**
     * Enough of a file to tell what it is: an archive (tar's magic is at offset 257), a picture or PDF, an Office
     * document by its first zip entry's name.
     */
    public static final int HEAD = 1024;
    /** The first bytes of each part's content, in the message's memo ({@link #heads}). */
    private static final MessageMemo.Key<Heads> HEADS = MessageMemo.Key.of("first bytes of parts");

    private final ContentInspection walk;
    private final ArchiveLimits limits;
    private final long deadline;
    private final Map<Type, Integer> wanted;
    private final long maxBytes;
    private long handed;
    private boolean ended;
    private Visitor visitor;
    private Heads heads = new Heads();

    /**
     * @param limits   the per-message bounds on opening archives ({@link ArchiveLimits#defaults()}, as the
     *                 attachment analyzer's)
     * @param wanted   the types wanted, each with the most bytes of one file to hand over (a larger file comes with
     *                 its first bytes and {@code complete = false})
     * @param maxBytes the most bytes handed over across the message; the walk ends when they are used up
     */
    public ArchiveContents(ArchiveLimits limits, Map<Type, Integer> wanted, long maxBytes) {
        this(limits, wanted, maxBytes, Long.MAX_VALUE);
    }

    /**
     * As {@link #ArchiveContents(ArchiveLimits, Map, long)}, ending the walk once {@link System#nanoTime()} passes
     * {@code deadline} (checked at every entry and every read).
     */
    public ArchiveContents(ArchiveLimits limits, Map<Type, Integer> wanted, long maxBytes, long deadline) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.deadline = deadline;
        this.wanted = new EnumMap<>(Type.class);
        wanted.forEach((type, max) -> {
            if (max < 1) {
                throw new IllegalArgumentException("at least one byte of a " + type + " file must be wanted");
            }
            this.wanted.put(type, max);
        });
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.walk = new ContentInspection(limits, new ContentInspection.Sink() {
            @Override
            public int wanted(Type type) {
                Integer max = ArchiveContents.this.wanted.get(type);
                return max == null ? 0 : (int) Math.min(max, ArchiveContents.this.maxBytes - handed);
            }

            @Override
            public boolean take(String path, Type type, byte[] bytes, boolean complete) {
                handed += bytes.length;
                boolean more = visitor.visit(new File(path, type, bytes, complete))
                        && handed < ArchiveContents.this.maxBytes && !ArchiveContents.this.wanted.isEmpty();
                ended = !more;
                return more;
            }

            @Override
            public boolean expired() {
                if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0) {
                    ended = true;
                }
                return ended;
            }
        });
    }

    /**
     * No more files of this type are wanted (the visitor's own cap for them is reached); the walk ends once no type
     * is wanted.
     */
    public void enough(Type type) {
        wanted.remove(type);
        if (wanted.isEmpty()) {
            ended = true;
        }
    }

    /**
     * Whether an Office Open XML part (its name in lower case) is one of the document's pictures: Word, Excel and
     * PowerPoint keep them under {@code word/media/}, {@code xl/media/} and {@code ppt/media/}.
     */
    public static boolean isOfficeMedia(String lowerName) {
        return lowerName.startsWith("word/media/") || lowerName.startsWith("xl/media/")
                || lowerName.startsWith("ppt/media/");
    }

    /**
     * Whether a file starting with {@code head} is an archive this walks into: zip (an Office Open XML document is one
     * too), 7z, gzip, tar, RAR, cpio, ar, a compressed file, or a TNEF stream (winmail.dat), whose attachments are
     * walked as entries.
     */
    public static boolean isArchive(byte[] head, int length) {
        return FileSignatures.isZip(head, length) || FileSignatures.isSevenZip(head, length)
                || FileSignatures.isGzip(head, length) || FileSignatures.isTar(head, length)
                || FileSignatures.isRar(head, length) || FileSignatures.compression(head, length) != null
                || FileSignatures.isCpio(head, length) || FileSignatures.isAr(head, length)
                || FileSignatures.isTnef(head, length);
    }

    /**
     * Hands the wanted files inside one attachment to the visitor, nested archives included, within what is left of
     * the message's limits. A damaged archive yields the files before the damage.
     *
     * @param path how evidence names the attachment: its file name, or {@code part 1.2}
     * @param name its file name (a gzip file's inner name may come from it), or {@code null}
     * @return whether the walk may go on with the next attachment ({@code false} once the visitor or the byte budget
     *         ended it)
     * @throws InterruptedException when the calling thread was interrupted (the pipeline's time budget ran out)
     */
    public boolean walk(String path, String name, InputStream in, Visitor visitor) throws InterruptedException {
        if (ended) {
            return false;
        }
        this.visitor = Objects.requireNonNull(visitor, "visitor");
        try {
            ended = !walk.walk(path, name, in) || ended;
        } finally {
            this.visitor = null;
        }
        return !ended;
    }

    /**
     * As {@link #walk(String, String, InputStream, Visitor)} for an attachment that may be an archive: its first bytes
     * ({@link #head}) tell ({@link #isArchive}), and only an archive is opened and walked.
     */
    public boolean walkIfArchive(String path, String name, PartContent content, Visitor visitor)
            throws InterruptedException {
        if (ended) {
            return false;
        }
        byte[] head = heads.head(content);
        if (head == null || !isArchive(head, head.length)) {
            return true;
        }
        try (InputStream in = content.open()) {
            return walk(path, name, in, visitor);
        } catch (IOException unreadable) {
            // the attachment analyzer reports content that cannot be read
            return !ended;
        }
    }

    /**
     * As {@link #walkIfArchive} for an encrypted attachment that a password opened in the attachment analyzer's
     * inspection ({@link AttachmentContentAnalyzer#openerOf}): as the inspection decrypted it, or decrypted again with
     * that password alone ({@link ArchivePasswords.Opener}, within {@link ArchiveLimits#maxBufferBytes()}), the files
     * of a zip or 7z archive are walked as its entries ({@code invoice.zip!/scan.pdf}), and the package of an Office
     * document as the attached document ({@code report.docx!/word/media/image1.png}), within the
     * same bounds as any walk. An attachment the password does not open after all is walked as it is. Not started once
     * the deadline has passed (a 7z key derivation alone takes a noticeable part of a second).
     *
     * @throws InterruptedException when the calling thread was interrupted (the pipeline's time budget ran out)
     */
    public boolean walkOpened(String path, String name, PartContent content, ArchivePasswords.Opener opener,
            Visitor visitor)
            throws InterruptedException {
        Objects.requireNonNull(opener, "opener");
        if (ended) {
            return false;
        }
        if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0) {
            ended = true;
            return false;
        }
        byte[] head = heads.head(content);
        if (head == null) {
            return true;
        }
        if (!mayBeOpenedWithPassword(head, head.length)) {
            return walkIfArchive(path, name, content, visitor);
        }
        boolean document = FileSignatures.isOle2(head, head.length);
        Optional<ArchivePasswords.Reopened> reopened;
        try (InputStream in = content.open()) {
            reopened = opener.reopen(in, limits.maxEntries(), limits.maxBufferBytes());
        } catch (IOException unreadable) {
            return !ended; // the attachment analyzer reports content that cannot be read
        }
        interrupted();
        if (reopened.isEmpty()) {
            // the password does not open it after all, or it is past the limits: an archive is walked as it is
            return document ? !ended : walkIfArchive(path, name, content, visitor);
        }
        if (reopened.get().documentPackage() != null) {
            return walk(path, name, new ByteArrayInputStream(reopened.get().documentPackage()), visitor);
        }
        this.visitor = Objects.requireNonNull(visitor, "visitor");
        try {
            ended = !walk.walkOpened(path, reopened.get().files()) || ended;
        } finally {
            this.visitor = null;
        }
        return !ended;
    }

    private static void interrupted() throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("archive walk interrupted");
        }
    }

    /**
     * Whether a file starting with {@code head} may be an encrypted attachment a password opens: a zip or 7z archive,
     * or an OLE2 file (an encrypted Office Open XML document is one).
     */
    public static boolean mayBeOpenedWithPassword(byte[] head, int length) {
        return FileSignatures.isZip(head, length) || FileSignatures.isSevenZip(head, length)
                || FileSignatures.isOle2(head, length);
    }

    /**
     * Reads the first bytes of the parts through {@code heads} (those of the message, {@link #heads}) rather than
     * reading them again for this walk.
     *
     * @return this
     */
    public ArchiveContents sharing(Heads heads) {
        this.heads = Objects.requireNonNull(heads, "heads");
        return this;
    }

    /**
     * The first bytes of the parts of the input's message, shared by its analyzers: they run in parallel and each asks
     * of every attachment and inline picture what it is (is it an archive, a picture, a PDF); the first to ask reads
     * it, the others use that reading.
     */
    public static Heads heads(AnalysisInput input) {
        return input.memo().computeIfAbsent(HEADS, Heads::new);
    }

    /** The first bytes of part contents, each read once. Thread-safe. */
    public static final class Heads {
        /** By the content's identity (a part's content is its own object). */
        private final Map<PartContent, Head> heads = new IdentityHashMap<>();

        /**
         * The first {@value #HEAD} bytes of a part's content (fewer for a shorter one), read once;
         * {@code null} when it cannot be read. A copy: the caller may change it.
         */
        public byte[] head(PartContent content) {
            Objects.requireNonNull(content, "content");
            Head h;
            synchronized (heads) {
                h = heads.computeIfAbsent(content, k -> new Head());
            }
            byte[] head = h.get(content);
            return head == null ? null : Arrays.copyOf(head, head.length);
        }

        /** How many times the content was read for {@link #head} (once): for tests. */
        int reads(PartContent content) {
            Head h;
            synchronized (heads) {
                h = heads.get(content);
            }
            return h == null ? 0 : h.reads();
        }
    }

    /**
     * One part's first bytes, read once. An unreadable content is not remembered: it stays unreadable, and a later
     * caller finds that out itself.
     */
    private static final class Head {
        private byte[] bytes;
        private int reads;

        synchronized byte[] get(PartContent content) {
            if (bytes == null) {
                reads++;
                try (InputStream in = content.open()) {
                    bytes = in.readNBytes(HEAD);
                } catch (IOException unreadable) {
                    return null;
                }
            }
            return bytes;
        }

        synchronized int reads() {
            return reads;
        }
    }
}
