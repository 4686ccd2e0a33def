package io.mamori.core.link;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.MessageMemo;
import io.mamori.core.attachment.ArchiveContents;
import io.mamori.core.attachment.ArchiveLimits;
import io.mamori.core.attachment.ArchivePasswords;
import io.mamori.core.attachment.AttachmentContentAnalyzer;
import io.mamori.core.attachment.AttachmentNameAnalyzer;
import io.mamori.core.attachment.OfficeRelationships;
import io.mamori.core.attachment.OfficeText;
import io.mamori.core.evasion.DrawnPictures;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.message.PartContent;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The links a message carries where text filters do not look: QR codes in its pictures (image parts, attached or
 * inline, and {@code data:image/...;base64} images written into HTML bodies; a code split across two consecutive such
 * pictures; a code drawn in a text or HTML part without a picture), the links of its PDF attachments, and
 * QR codes in the pictures of its PDFs; pictures and PDFs inside archive attachments too, and the pictures and external
 * hyperlinks ({@link OfficeRelationships}) of Office Open XML (docx, xlsx, pptx) documents, attached or inside
 * archives: all of these are read by one walk
 * ({@link ArchiveContents}, within the attachment analyzer's {@link ArchiveLimits}, at most
 * {@value #MAX_ARCHIVED_BYTES} bytes read out of archives and documents, counted against the same caps; an encrypted
 * zip or 7z archive or Office document that a password the message or a password mail gives opened in the attachment
 * analyzer's inspection is read decrypted, {@link ArchiveContents#walkOpened}). These are
 * one more source
 * of links for {@link LinkAnalyzer} and {@link MessageLinks}, which examine them like the links of the text. Bounded
 * per message: at most {@value #MAX_IMAGES} pictures of at most {@value #MAX_IMAGE_BYTES} bytes decoded, those of
 * archives included (pictures of fewer than {@value #MIN_IMAGE_BYTES} bytes are skipped unread: no QR code a phone
 * could scan is that small), at most {@value #MAX_PDFS} PDFs and {@value #MAX_OFFICE} attached Office documents
 * opened, at most {@value #MAX_DOCUMENT_IMAGES} pictures decoded in each, and no new picture, PDF or document started
 * after
 * {@value #BUDGET_MILLIS} ms; see {@link QrCodes}, {@link PdfLinks} and {@link PdfPictures}
 * for the bounds on each. Found once per message: the link analyzer and {@link MessageLinks} (for the sender lists)
 * both ask, in parallel, and the first to ask reads the pictures, PDFs and archives while the other waits for its
 * answer (as {@code HtmlText} shares one parse of an HTML part); what is kept is the links, never the bytes read.
 * Thread-safe.
 */
public final class EmbeddedLinks {

    static final int MAX_IMAGES = 5;
    static final int MAX_IMAGE_BYTES = 2 * 1024 * 1024;
    static final int MIN_IMAGE_BYTES = 100;
    static final int MAX_PDFS = 3;
    /** Text and HTML parts searched for drawn QR codes (alternatives say the same thing twice). */
    static final int MAX_DRAWN_PARTS = 4;
    /** Where a drawn QR code was, as evidence. */
    static final String DRAWN_WITH_CHARACTERS = "drawn with text characters";
    static final String DRAWN_WITH_CELLS = "drawn with table cells";
    static final String SPLIT_ACROSS_PICTURES = "split across two pictures";
    static final int MAX_OFFICE = 3;
    static final int MAX_DOCUMENT_IMAGES = PdfPictures.MAX_IMAGES;
    /** External hyperlinks of Office documents kept per message (their documents' other links are not read). */
    static final int MAX_DOCUMENT_LINKS = 50;
    /** Extensions of Office Open XML files (a zip file of another name is a document by its type or first entry). */
    private static final Set<String> OOXML = Set.of("docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xltx", "xltm",
            "pptx", "pptm", "ppsx", "ppsm", "potx", "potm");
    static final long BUDGET_MILLIS = 1000;
    /** Bytes of pictures and PDFs read out of archives per message (each within its own cap). */
    static final long MAX_ARCHIVED_BYTES = 32L * 1024 * 1024;
    /**
     * The links found in a message, in its memo. A search cut short, by its time budget or by the analysis budget
     * (interruption), is not kept: a later caller searches anew within its own budget, as it did before the links were
     * shared. What is kept is the links, never the bytes read.
     */
    private static final MessageMemo.Key<Found> FOUND = MessageMemo.Key.of("embedded links", Found::whole);

    /** Where a link was found. */
    public enum Source {
        /** The text of a QR code in a picture (of the message, or inside a PDF or Office document). */
        QR_CODE,
        /**
         * The text of a QR code made to get past QR readers that look at one picture at a time: drawn in a text or
         * HTML part with block characters or an HTML table's coloured cells ({@link DrawnPictures}), a picture that is
         * no picture, or split across two of the message's pictures that hold no code alone
         * ({@link QrCodes#readJoined}).
         */
        DISGUISED_QR_CODE,
        /** A link annotation or a URL in the text of a PDF attachment. */
        PDF,
        /**
         * An external hyperlink of an Office Open XML document (docx, xlsx, pptx …), attached or inside an archive
         * ({@link OfficeRelationships}).
         */
        DOCUMENT
    }

    /**
     * One link found inside a picture or a document.
     *
     * @param source     where it was found
     * @param url        the URL as written there (QR code text, URI action, URL of the text)
     * @param buttonLike for a PDF: the document is little more than this link (few words, or a link covering a
     *                   large part of a page), the "view document" button of phishing PDFs; for an Office document: a
     *                   Word document of fewer words than that; {@code false} for QR codes and other documents
     * @param place      for a QR code inside an attached document or archive, where: {@code invoice.pdf, page 1},
     *                   {@code report.docx!/word/media/image1.png} or {@code scan.zip!/code.png}; for a link of a PDF
     *                   inside an archive, the PDF: {@code invoice.zip!/invoice.pdf}; for a link of an Office
     *                   document, the document: {@code report.docx}, {@code invoice.zip!/report.xlsx}; empty
     *                   otherwise
     */
    public record Link(Source source, String url, boolean buttonLike, String place) {
        public Link {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(place, "place");
        }

        Link(Source source, String url, boolean buttonLike) {
            this(source, url, buttonLike, "");
        }
    }

    /** Fewer words than this on the pages read make a PDF with a link "a button". */
    static final int BUTTON_MAX_WORDS = 60;
    /** A link annotation covering this share of its page makes the page a button. */
    static final double BUTTON_MIN_COVER = 0.25;
    /** A PDF with more pages than this is a document, whatever its links. */
    static final int BUTTON_MAX_PAGES = 3;
    /** A Word document whose main part is larger than this is a document, whatever its links (about 60 words fit). */
    static final int BUTTON_MAX_DOCUMENT_BYTES = 256 * 1024;

    /**
     * Whether a PDF is little more than a button leading to its links ("view document"): at most
     * {@value #BUTTON_MAX_PAGES} pages with fewer than {@value #BUTTON_MAX_WORDS} words or a link covering a quarter of
     * a page or more; or a PDF that opens a web address as soon as it is opened, whatever it looks like.
     */
    static boolean button(PdfLinks.Document doc) {
        return doc.opensLink() || doc.pages() <= BUTTON_MAX_PAGES
                && (doc.words() < BUTTON_MAX_WORDS || doc.largestLink() >= BUTTON_MIN_COVER);
    }

    private EmbeddedLinks() {
    }

    /** The links in the message's pictures and PDFs, in part order, distinct; found once per input. */
    public static List<Link> of(AnalysisInput input) {
        return of(input, BUDGET_MILLIS);
    }

    /** With another time budget (tests on a busy machine). */
    static List<Link> of(AnalysisInput input, long budgetMillis) {
        return input.memo().computeIfAbsent(FOUND, () -> {
            long deadline = System.nanoTime() + budgetMillis * 1_000_000L;
            Search search = new Search();
            List<Link> found = search(input, deadline, search);
            input.memo().computeIfAbsent(ARCHIVE_WALKS, AtomicInteger::new).addAndGet(search.archiveWalks);
            return new Found(found, System.nanoTime() - deadline <= 0);
        }).links();
    }

    /** Without sharing: the links of a message alone, as an input of its own (tests). */
    static List<Link> of(ParsedMessage message, long budgetMillis) {
        Envelope none = new Envelope(Direction.INBOUND, "", List.of(), "", "", null, false, null);
        return of(new AnalysisInput(none, message), budgetMillis);
    }

    /** How many times the links of the input's message were looked for, and how many archives walked then: for tests. */
    static int[] searches(AnalysisInput input) {
        return new int[] {input.memo().computations(FOUND),
                input.memo().computeIfAbsent(ARCHIVE_WALKS, AtomicInteger::new).get()};
    }

    /** Archives walked by the searches of a message's links, kept or not: for {@link #searches}. */
    private static final MessageMemo.Key<AtomicInteger> ARCHIVE_WALKS = MessageMemo.Key.of("archive walks");

    /** One search's links; {@code whole} when it finished within its time budget. */
    private record Found(List<Link> links, boolean whole) {
    }

    /** What one search did, for {@link #searches}. */
    private static final class Search {
        int archiveWalks;
    }

    private static List<Link> search(AnalysisInput input, long deadline, Search search) {
        ParsedMessage message = input.message();
        ArchiveContents.Heads heads = ArchiveContents.heads(input);
        Set<Link> links = new LinkedHashSet<>();
        int images = 0;
        int pdfs = 0;
        int documents = 0;
        int documentLinks = 0;
        int drawnIn = 0;
        List<QrCodes.Luminance> unread = new ArrayList<>();
        ArchiveContents archives = null;
        Boolean filesInArchives = null;
        for (MimePart part : message.parts()) {
            if (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                break;
            }
            boolean html = "text/html".equals(part.contentType());
            if (part.text() != null && (html || "text/plain".equals(part.contentType()))) {
                if (drawnIn++ < MAX_DRAWN_PARTS) {
                    // an attached page or text file too: a browser shows the page, and a phone reads what it shows
                    String file = part.attachment() && part.filename() != null ? shownName(part) + ", " : "";
                    drawnLinks(html ? DrawnPictures.inHtml(input, part.text()) : DrawnPictures.inText(part.text()),
                            file, links, deadline);
                }
                if (html && images < MAX_IMAGES) {
                    for (byte[] image : dataImages(part.text(), MAX_IMAGES - images)) {
                        images++;
                        picture(image, links, unread);
                        if (System.nanoTime() > deadline) {
                            break;
                        }
                    }
                    continue;
                }
            }
            PartContent content = part.content();
            if (content == null || content.length() < MIN_IMAGE_BYTES) {
                continue;
            }
            byte[] head = heads.head(content);
            if (head == null) {
                continue;
            }
            if (QrCodes.looksLikeImage(head, head.length)) {
                if (images >= MAX_IMAGES || content.length() > MAX_IMAGE_BYTES || !content.complete()) {
                    continue;
                }
                images++;
                bytes(content).ifPresent(image -> picture(image, links, unread));
            } else if (PdfLinks.looksLikePdf(head, head.length)) {
                if (pdfs >= MAX_PDFS || content.length() > PdfLinks.MAX_BYTES || !content.complete()) {
                    continue;
                }
                pdfs++;
                PdfLinks.Document doc = bytes(content).map(pdf -> PdfLinks.read(pdf, deadline)).orElse(null);
                if (doc != null) {
                    boolean button = button(doc);
                    doc.urls().forEach(u -> links.add(new Link(Source.PDF, u, button)));
                    String name = shownName(part);
                    doc.qrCodes().forEach(c -> links.add(new Link(Source.QR_CODE, c.text(), false,
                            name + ", page " + c.page())));
                }
            } else if (ArchiveContents.isArchive(head, head.length)
                    || ArchiveContents.mayBeOpenedWithPassword(head, head.length)) {
                // an archive, or an Office Open XML document (a zip file too), whose pictures the walk hands over; or
                // an OLE2 file, which may be an encrypted Office Open XML document a password opened
                if (!content.complete()) {
                    continue;
                }
                if (filesInArchives == null) {
                    // the attachment analyzer's inspection of the message (made once) tells whether there is
                    // anything to find: most archives and documents hold neither, and are then not opened a second
                    // time
                    try {
                        filesInArchives = AttachmentContentAnalyzer.linkSourcesInArchives(input);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                if (!filesInArchives) {
                    continue;
                }
                // an encrypted attachment that a password the message or a password mail gives opened in the
                // inspection (PPAP): its files are read decrypted, as the inspection and the antivirus analyzer read
                // them; a QR code or a phishing PDF inside a password zip is no way around this search
                ArchivePasswords.Opener opener;
                try {
                    opener = AttachmentContentAnalyzer.openerOf(input, part).orElse(null);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                boolean ole2 = !ArchiveContents.isArchive(head, head.length);
                if (ole2 && opener == null) {
                    continue; // an OLE2 file that no password opened: no pictures for this search
                }
                if (ole2 || (opener == null && officeDocument(part, head))) {
                    // an attached document's pictures have their own allowance, as a PDF's do: decoy pictures before
                    // it do not hide its QR code
                    if (documents++ < MAX_OFFICE) {
                        search.archiveWalks++;
                        ArchiveContents own = new ArchiveContents(ArchiveLimits.defaults(),
                                Map.of(ArchiveContents.Type.PICTURE, MAX_IMAGE_BYTES,
                                        ArchiveContents.Type.OFFICE_RELATIONSHIPS, OfficeRelationships.MAX_PART_BYTES,
                                        ArchiveContents.Type.WORD_DOCUMENT, BUTTON_MAX_DOCUMENT_BYTES),
                                MAX_ARCHIVED_BYTES, deadline).sharing(heads);
                        Counts counts = new Counts(0, MAX_PDFS, documentLinks);
                        try {
                            archived(own, part, opener, counts, MAX_DOCUMENT_IMAGES, links, deadline);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                        documentLinks = counts.documentLinks;
                    }
                    continue;
                }
                if (archives == null) {
                    archives = new ArchiveContents(ArchiveLimits.defaults(), Map.of(ArchiveContents.Type.PICTURE,
                            MAX_IMAGE_BYTES, ArchiveContents.Type.PDF, PdfLinks.MAX_BYTES,
                            ArchiveContents.Type.OFFICE_RELATIONSHIPS, OfficeRelationships.MAX_PART_BYTES,
                            ArchiveContents.Type.WORD_DOCUMENT, BUTTON_MAX_DOCUMENT_BYTES),
                            MAX_ARCHIVED_BYTES, deadline).sharing(heads);
                }
                Counts counts = new Counts(images, pdfs, documentLinks);
                search.archiveWalks++;
                try {
                    archived(archives, part, opener, counts, MAX_IMAGES, links, deadline);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                images = counts.images;
                pdfs = counts.pdfs;
                documentLinks = counts.documentLinks;
            }
        }
        for (int i = 0; i + 1 < unread.size() && System.nanoTime() <= deadline; i++) {
            QrCodes.readJoined(unread.get(i), unread.get(i + 1)).ifPresent(
                    text -> links.add(new Link(Source.DISGUISED_QR_CODE, text, false, SPLIT_ACROSS_PICTURES)));
        }
        return List.copyOf(links);
    }

    /**
     * A picture of the message itself (an image part, or a {@code data:} image of an HTML body): its QR code's link,
     * or, when it holds none, its brightness kept for a code split across two pictures.
     */
    private static void picture(byte[] image, Set<Link> links, List<QrCodes.Luminance> unread) {
        QrCodes.Picture picture = QrCodes.readPicture(image);
        picture.text().ifPresent(text -> links.add(new Link(Source.QR_CODE, text, false)));
        if (picture.unread() != null) {
            unread.add(picture.unread());
        }
    }

    /**
     * Pictures and PDFs decoded and documents' links kept so far in a message, shared with the walk through its
     * archives.
     */
    private static final class Counts {
        int images;
        int pdfs;
        int documentLinks;

        Counts(int images, int pdfs, int documentLinks) {
            this.images = images;
            this.pdfs = pdfs;
            this.documentLinks = documentLinks;
        }
    }

    /**
     * The pictures and PDFs inside an archive attachment (nested archives too), or the pictures of an attached Office
     * document, read as the message's own: counted against the same per-message caps and deadline, their links placed
     * by their path in the archive or document ({@code invoice.zip!/scan.png}, {@code invoice.zip!/a.pdf, page 1},
     * {@code report.docx!/word/media/image1.png}). An attachment that a password opened in the inspection ({@code opener},
     * when not {@code null}) is walked decrypted ({@link ArchiveContents#walkOpened}), with the same paths.
     */
    private static void archived(ArchiveContents archives, MimePart part, ArchivePasswords.Opener opener, Counts counts,
            int maxImages, Set<Link> links, long deadline) throws InterruptedException {
        String name = shownName(part);
        // an Office document's hyperlinks and its words, by the document's path, until the walk has read both
        Map<String, List<String>> hyperlinks = new java.util.LinkedHashMap<>();
        Map<String, Integer> documentWords = new java.util.HashMap<>();
        ArchiveContents.Visitor visitor = file -> {
            if (file.type() == ArchiveContents.Type.PICTURE && counts.images < maxImages) {
                if (file.complete() && file.bytes().length >= MIN_IMAGE_BYTES) {
                    counts.images++;
                    QrCodes.read(file.bytes()).ifPresent(text -> links.add(new Link(Source.QR_CODE, text, false,
                            file.path())));
                }
            } else if (file.type() == ArchiveContents.Type.PDF && counts.pdfs < MAX_PDFS && file.complete()) {
                counts.pdfs++;
                PdfLinks.Document doc = PdfLinks.read(file.bytes(), deadline);
                if (doc != null) {
                    boolean button = button(doc);
                    doc.urls().forEach(u -> links.add(new Link(Source.PDF, u, button, file.path())));
                    doc.qrCodes().forEach(c -> links.add(new Link(Source.QR_CODE, c.text(), false,
                            file.path() + ", page " + c.page())));
                }
            } else if (file.type() == ArchiveContents.Type.OFFICE_RELATIONSHIPS
                    && counts.documentLinks < MAX_DOCUMENT_LINKS) {
                // the document is what the path names before its part: report.docx!/word/_rels/document.xml.rels
                String document = file.path().substring(0, file.path().lastIndexOf("!/"));
                for (OfficeRelationships.External external : OfficeRelationships.externals(file.bytes())) {
                    List<String> targets = hyperlinks.computeIfAbsent(document, d -> new ArrayList<>());
                    if (external.hyperlink() && counts.documentLinks < MAX_DOCUMENT_LINKS
                            && !targets.contains(external.target())) {
                        targets.add(external.target());
                        counts.documentLinks++;
                    }
                }
            } else if (file.type() == ArchiveContents.Type.WORD_DOCUMENT) {
                // a larger main part is a document, however few its links
                documentWords.put(file.path().substring(0, file.path().lastIndexOf("!/")),
                        file.complete() ? PdfLinks.words(OfficeText.of(file.bytes())) : Integer.MAX_VALUE);
            }
            if (counts.documentLinks >= MAX_DOCUMENT_LINKS) {
                archives.enough(ArchiveContents.Type.OFFICE_RELATIONSHIPS);
            }
            if (counts.images >= maxImages) {
                archives.enough(ArchiveContents.Type.PICTURE);
            }
            if (counts.pdfs >= MAX_PDFS) {
                archives.enough(ArchiveContents.Type.PDF);
            }
            return System.nanoTime() <= deadline;
        };
        try {
            if (opener == null) {
                archives.walkIfArchive(name, part.filename(), part.content(), visitor);
            } else {
                archives.walkOpened(name, part.filename(), part.content(), opener, visitor);
            }
        } finally {
            // a Word document that is little more than its links is a "view document" button, as such a PDF is
            hyperlinks.forEach((document, targets) -> {
                Integer words = documentWords.get(document);
                boolean button = words != null && words < BUTTON_MAX_WORDS;
                targets.forEach(t -> links.add(new Link(Source.DOCUMENT, t, button, document)));
            });
        }
    }

    /**
     * An attached Office Open XML document, whose pictures have an allowance of their own: named or declared one, or a
     * zip file whose first entry is {@code [Content_Types].xml} (as Office writes it). Other documents are walked as
     * archives, their pictures counted against the message's.
     */
    private static boolean officeDocument(MimePart part, byte[] head) {
        if (!(head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4)) {
            return false;
        }
        String name = part.filename() == null ? "" : part.filename().strip().toLowerCase(Locale.ROOT);
        String type = part.contentType() == null ? "" : part.contentType();
        if (OOXML.contains(name.substring(name.lastIndexOf('.') + 1))
                || type.startsWith("application/vnd.openxmlformats-officedocument.")
                || (type.startsWith("application/vnd.ms-") && type.contains("macroenabled"))) {
            return true;
        }
        // APPNOTE 4.3.7: the local file header's name length at offset 26 (little-endian), the name at 30
        byte[] first = "[Content_Types].xml".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int length = head.length >= 30 ? (head[26] & 0xff) | (head[27] & 0xff) << 8 : -1;
        return length == first.length && head.length >= 30 + length
                && java.util.Arrays.equals(head, 30, 30 + length, first, 0, length);
    }

    /** The attachment as evidence names it: its file name, or {@code part 1.2}. */
    private static String shownName(MimePart part) {
        return part.filename() == null || part.filename().isBlank()
                ? "part " + part.path() : AttachmentNameAnalyzer.displayed(part.filename());
    }

    /**
     * The QR codes of drawings in a body or an attached text or HTML file, each placed by how it was drawn, after the
     * file's name ({@code file}: "name, " or empty for a body).
     */
    private static void drawnLinks(List<DrawnPictures.Drawing> drawings, String file, Set<Link> links, long deadline) {
        for (DrawnPictures.Drawing drawing : drawings) {
            if (System.nanoTime() > deadline) {
                return;
            }
            String place = file + (drawing.kind() == DrawnPictures.Kind.TABLE_CELLS ? DRAWN_WITH_CELLS
                    : DRAWN_WITH_CHARACTERS);
            QrCodes.read(drawing).ifPresent(text -> links.add(new Link(Source.DISGUISED_QR_CODE, text, false, place)));
        }
    }

    private static Optional<byte[]> bytes(PartContent content) {
        try (InputStream in = content.open()) {
            return Optional.of(in.readAllBytes());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The pictures written into HTML as {@code data:image/png;base64,...} (or jpeg, gif, bmp), at most {@code max},
     * each of {@value #MIN_IMAGE_BYTES} to {@value #MAX_IMAGE_BYTES} bytes. A plain search instead of an HTML parse:
     * the URI is the same text wherever in the markup it stands, and the search costs nothing on HTML without one.
     */
    static List<byte[]> dataImages(String html, int max) {
        List<byte[]> images = new ArrayList<>();
        int from = 0;
        while (images.size() < max) {
            int at = indexOfIgnoreCase(html, "data:image/", from);
            if (at < 0) {
                break;
            }
            int comma = html.indexOf(',', at);
            if (comma < 0 || comma - at > 60) {
                from = at + 11;
                continue;
            }
            String header = html.substring(at, comma).toLowerCase(Locale.ROOT);
            long limit = comma + 1 + (MAX_IMAGE_BYTES / 3L * 4) + 8;
            int end = base64End(html, comma + 1, (int) Math.min(html.length(), limit));
            from = end;
            if (!header.endsWith(";base64") || end >= limit) {
                continue;
            }
            String data = withoutWhitespace(html, comma + 1, end);
            if (data.length() / 4 * 3 < MIN_IMAGE_BYTES) {
                continue;
            }
            try {
                images.add(Base64.getMimeDecoder().decode(data));
            } catch (IllegalArgumentException e) {
                // not base64 after all: no picture
            }
        }
        return images;
    }

    /**
     * Where the run of base64 characters (and line breaks and spaces) that starts at {@code start} ends, at most at
     * {@code end}. Read in chunks of a char array rather than by {@code charAt}: the HTML of most mail is not Latin-1,
     * and the C1-compiled code of a short {@code eval} checks the index of every {@code charAt} of such a string,
     * over pictures of up to megabytes.
     */
    static int base64End(String s, int start, int end) {
        char[] chunk = new char[Math.min(8192, Math.max(0, end - start))];
        int i = start;
        while (i < end) {
            int n = Math.min(chunk.length, end - i);
            s.getChars(i, i + n, chunk, 0);
            for (int k = 0; k < n; k++) {
                if (!isBase64(chunk[k])) {
                    return i + k;
                }
            }
            i += n;
        }
        return i;
    }

    /**
     * The characters of {@code s} from {@code start} to {@code end} without the white space of regex {@code \\s};
     * over a char array for the reason {@link #base64End} gives.
     */
    static String withoutWhitespace(String s, int start, int end) {
        char[] chars = new char[end - start];
        s.getChars(start, end, chars, 0);
        int n = 0;
        for (char c : chars) {
            if (c != ' ' && c != '\t' && c != '\n' && c != 0x0B && c != '\f' && c != '\r') {
                chars[n++] = c;
            }
        }
        return new String(chars, 0, n);
    }

    private static boolean isBase64(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
                || c == '=' || c == '\r' || c == '\n' || c == ' ' || c == '\t';
    }

    private static int indexOfIgnoreCase(String s, String what, int from) {
        for (int i = s.indexOf(':', from); i >= 0; i = s.indexOf(':', i + 1)) {
            int start = i - 4;
            if (start >= from && s.regionMatches(true, start, what, 0, what.length())) {
                return start;
            }
        }
        return -1;
    }
}
