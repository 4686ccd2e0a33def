package io.mamori.core.link;

import io.mamori.core.attachment.PdfActions;
import io.mamori.core.attachment.PdfDecoding;
import io.mamori.core.attachment.PdfEncryption;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.fontbox.FontBoxFont;
import org.apache.fontbox.ttf.TTFParser;
import org.apache.fontbox.ttf.TrueTypeFont;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.io.RandomAccessReadBuffer;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.CIDFontMapping;
import org.apache.pdfbox.pdmodel.font.FontMapper;
import org.apache.pdfbox.pdmodel.font.FontMappers;
import org.apache.pdfbox.pdmodel.font.FontMapping;
import org.apache.pdfbox.pdmodel.font.PDCIDSystemInfo;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDFontDescriptor;
import org.apache.pdfbox.pdmodel.interactive.action.PDAction;
import org.apache.pdfbox.pdmodel.interactive.action.PDActionSubmitForm;
import org.apache.pdfbox.pdmodel.interactive.action.PDActionURI;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotation;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationLink;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationWidget;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * The web links of a PDF (Apache PDFBox): the URI actions of its link annotations and buttons (what a click on the
 * page opens), the web address its form buttons submit to, the URI its open action or a page's open action goes to
 * (what merely opening the document opens), and the {@code http(s)://} and {@code www.} URLs written in its text,
 * with how much text the document has and how much of a page its largest link covers, which tell a document that is
 * only a button ("View document") from one that mentions a site. Bounded: PDFs over {@value #MAX_BYTES} bytes are
 * not opened, PDFBox keeps at most {@value #MAX_MEMORY} bytes of decoded streams, annotations of the first
 * {@value #MAX_PAGES} pages and the text of the first {@value #TEXT_PAGES} pages are read (when their content decodes
 * to at most {@value #MAX_CONTENT_BYTES} bytes), at most {@value #MAX_LINKS} links kept. The same load reads the QR
 * codes of its pictures ({@link PdfPictures}), or, when they hold none, of the inline pictures of the pages whose text
 * is read, or, when those hold none either, of its drawings ({@link PdfDrawings}). A PDF that does not open
 * (damaged, needing a password, or encrypted for its recipients' certificates: {@code AttachmentContentAnalyzer}
 * reports those) has no links. Stateless.
 */
final class PdfLinks {

    static final int MAX_BYTES = 10 * 1024 * 1024;
    static final long MAX_MEMORY = 64L * 1024 * 1024;
    static final int MAX_PAGES = 20;
    static final int TEXT_PAGES = 2;
    static final int MAX_LINKS = 50;
    static final int MAX_TEXT_CHARS = 100_000;
    /** Decoded content (page content streams and the forms they draw) of the pages whose text is read. */
    static final long MAX_CONTENT_BYTES = 8L * 1024 * 1024;

    /**
     * What one PDF links to.
     *
     * @param urls        distinct URLs of link annotations, then of the text, at most {@value #MAX_LINKS}
     * @param pages       number of pages
     * @param words       words of text on the pages read (a CJK character counts as half a word)
     * @param largestLink share of its page (0 to 1) that the largest link annotation covers
     * @param qrCodes     QR codes in the pictures of its first pages ({@link PdfPictures}) or, when they hold none, in
     *                    the inline pictures of its first pages, or, when neither holds one, drawn on its first pages
     *                    ({@link PdfDrawings})
     * @param opensLink   whether opening the document (its open action, or the open action of one of the pages read)
     *                    opens a web address, with no click: the document is then a link itself
     */
    record Document(List<String> urls, int pages, int words, double largestLink, List<PdfPictures.Code> qrCodes,
            boolean opensLink) {
    }

    static {
        FontMappers.set(new BuiltInFontOnly());
        PdfDecoding.install();
    }

    private PdfLinks() {
    }

    /**
     * PDFBox stands in a system font for each font a PDF names but does not embed: on first use it scans every font
     * directory of the machine (seconds of CPU) and writes a cache into the home directory. Links and words need no
     * glyphs, so every font is mapped to the one PDFBox ships (Liberation Sans, parsed once), and the file system is
     * never searched. Set for the whole JVM: nothing else here renders PDFs.
     */
    private static final class BuiltInFontOnly implements FontMapper {

        private static final class Holder {
            static final TrueTypeFont FONT = load();

            private static TrueTypeFont load() {
                try (InputStream in = PDFont.class.getResourceAsStream("/org/apache/pdfbox/resources/ttf/LiberationSans-Regular.ttf")) {
                    if (in == null) {
                        throw new IllegalStateException("PDFBox's built-in font is missing");
                    }
                    return new TTFParser().parse(new RandomAccessReadBuffer(in));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read PDFBox's built-in font", e);
                }
            }
        }

        @Override
        public FontMapping<TrueTypeFont> getTrueTypeFont(String baseFont, PDFontDescriptor descriptor) {
            return new FontMapping<>(Holder.FONT, true);
        }

        @Override
        public FontMapping<FontBoxFont> getFontBoxFont(String baseFont, PDFontDescriptor descriptor) {
            return new FontMapping<>(Holder.FONT, true);
        }

        @Override
        public CIDFontMapping getCIDFont(String baseFont, PDFontDescriptor descriptor, PDCIDSystemInfo systemInfo) {
            return new CIDFontMapping(null, Holder.FONT, true);
        }
    }

    /** Whether the bytes are a PDF: {@code %PDF-} within the first 1024 bytes, where readers look for it. */
    static boolean looksLikePdf(byte[] head, int length) {
        for (int i = 0; i + 5 <= Math.min(length, 1024); i++) {
            if (head[i] == '%' && head[i + 1] == 'P' && head[i + 2] == 'D' && head[i + 3] == 'F' && head[i + 4] == '-') {
                return true;
            }
        }
        return false;
    }

    /**
     * The links of the PDF, or {@code null} when it does not open; no picture is decoded for QR codes after
     * {@code deadline} (nano time).
     */
    static Document read(byte[] pdf, long deadline) {
        if (pdf.length > MAX_BYTES) {
            return null;
        }
        try (PDDocument doc = Loader.loadPDF(pdf, "", null, null, MemoryUsageSetting.setupMainMemoryOnly(MAX_MEMORY).streamCache)) {
            Set<String> urls = new LinkedHashSet<>();
            int pages = doc.getNumberOfPages();
            double largest = 0;
            boolean opensLink = add(urls, address(openAction(doc)));
            for (int i = 0; i < Math.min(pages, MAX_PAGES) && urls.size() < MAX_LINKS; i++) {
                if (Thread.currentThread().isInterrupted()) {
                    return null;
                }
                PDPage page = doc.getPage(i);
                if (add(urls, address(openAction(page)))) {
                    opensLink = true;
                }
                PDRectangle box = page.getCropBox();
                double pageArea = Math.abs((double) box.getWidth() * box.getHeight());
                for (PDAnnotation annotation : page.getAnnotations()) {
                    // a link, or a form's button: what a click on it opens or submits to
                    PDAction action = annotation instanceof PDAnnotationLink link ? link.getAction()
                            : annotation instanceof PDAnnotationWidget widget ? widget.getAction() : null;
                    if (!add(urls, address(action))) {
                        continue;
                    }
                    PDRectangle r = annotation.getRectangle();
                    if (r != null && pageArea > 0) {
                        largest = Math.max(largest, Math.min(1.0, Math.abs((double) r.getWidth() * r.getHeight()) / pageArea));
                    }
                }
            }
            // one load of the PDF for its links and its pictures
            List<PdfPictures.Code> codes = PdfPictures.qrCodes(doc, deadline);
            // a code in an inline picture of the first pages, or drawn with vector graphics, when no picture held one:
            // both are met during the text extraction (Stripper)
            String text = "";
            if (contentWithin(doc, MAX_CONTENT_BYTES)) {
                Stripper stripper = new Stripper();
                stripper.setStartPage(1);
                stripper.setEndPage(TEXT_PAGES);
                text = stripper.getText(doc);
                if (codes.isEmpty()) {
                    codes = PdfPictures.qrCodes(stripper.inlinePictures, deadline);
                }
                if (codes.isEmpty()) {
                    codes = drawnCodes(doc, stripper.pathOperators, deadline);
                }
            }
            if (text.length() > MAX_TEXT_CHARS) {
                text = text.substring(0, MAX_TEXT_CHARS);
            }
            TextUrls found = new TextUrls(text);
            for (String url = found.next(); url != null && urls.size() < MAX_LINKS; url = found.next()) {
                String trimmed = TextUrls.withoutTrailingPunctuation(url);
                urls.add(trimmed.regionMatches(true, 0, "www.", 0, 4) ? "http://" + trimmed : trimmed);
            }
            return new Document(new ArrayList<>(urls), pages, words(text), largest, codes, opensLink);
        } catch (IOException | RuntimeException e) {
            // RuntimeException: PDFBox throws unchecked exceptions on some damaged files; a PDF it cannot read has
            // no links we can know of
            return null;
        } catch (NoClassDefFoundError e) {
            if (!PdfEncryption.needsCertificate(e)) {
                throw e;
            }
            return null; // encrypted for certificates: it does not open, as one that needs a password
        }
    }

    /** The document's open action, or {@code null} (none, a page to show, or unreadable). */
    private static PDAction openAction(PDDocument doc) {
        try {
            return doc.getDocumentCatalog().getOpenAction() instanceof PDAction action ? action : null;
        } catch (IOException | RuntimeException damaged) {
            return null;
        }
    }

    /** The page's open action (in its additional actions), or {@code null} (none, or unreadable). */
    private static PDAction openAction(PDPage page) {
        try {
            return page.getActions() == null ? null : page.getActions().getO();
        } catch (RuntimeException damaged) {
            return null;
        }
    }

    /**
     * The web address an action opens ({@code URI}) or sends a form to ({@code SubmitForm}, whose target is a URL
     * file specification; a target that is no web address, such as a file beside the form, is none), itself or one of
     * the actions it chains to ({@link PdfActions#chain}: "go to page 1", then open a site), or {@code null}.
     */
    private static String address(PDAction first) {
        for (PDAction action : PdfActions.chain(first)) {
            String address = ownAddress(action);
            if (address != null) {
                return address;
            }
        }
        return null;
    }

    /** The web address this one action opens or sends a form to, or {@code null}. */
    private static String ownAddress(PDAction action) {
        try {
            if (action instanceof PDActionURI uri) {
                return uri.getURI();
            }
            if (action instanceof PDActionSubmitForm submit && submit.getFile() != null) {
                String target = submit.getFile().getFile();
                return target != null && target.strip().regionMatches(true, 0, "http", 0, 4) ? target : null;
            }
        } catch (IOException | RuntimeException damaged) {
            // an action that cannot be read opens nothing we can know of
        }
        return null;
    }

    /** Adds {@code url} (stripped) when it is one and there is room; whether it was one. */
    private static boolean add(Set<String> urls, String url) {
        if (url == null || url.isBlank()) {
            return false;
        }
        if (urls.size() < MAX_LINKS) {
            urls.add(url.strip());
        }
        return true;
    }

    /**
     * Whether the content streams of the pages whose text is read, and of the forms on them, decode to at most
     * {@code budget} bytes together. PDFBox's text extraction reads every byte of them: a megabyte of Flate data that
     * expands to a gigabyte of spaces cost it about ten seconds of CPU (in bounded memory). Past the budget the text is
     * not read, and the PDF counts as one without words: a document that hides its text that way is not an ordinary
     * document.
     */
    private static boolean contentWithin(PDDocument doc, long budget) throws IOException {
        long left = budget;
        for (int i = 0; i < Math.min(doc.getNumberOfPages(), TEXT_PAGES); i++) {
            PDPage page = doc.getPage(i);
            List<COSStream> streams = new ArrayList<>();
            COSBase contents = page.getCOSObject().getDictionaryObject(COSName.CONTENTS);
            if (contents instanceof COSStream s) {
                streams.add(s);
            } else if (contents instanceof COSArray array) {
                for (int k = 0; k < array.size(); k++) {
                    if (array.getObject(k) instanceof COSStream s) {
                        streams.add(s);
                    }
                }
            }
            COSDictionary resources = page.getCOSObject().getCOSDictionary(COSName.RESOURCES);
            COSDictionary xobjects = resources == null ? null : resources.getCOSDictionary(COSName.XOBJECT);
            if (xobjects != null) {
                for (COSName name : xobjects.keySet()) {
                    if (xobjects.getDictionaryObject(name) instanceof COSStream s && COSName.FORM.equals(s.getCOSName(COSName.SUBTYPE))) {
                        streams.add(s);
                    }
                }
            }
            for (COSStream s : streams) {
                long size = PdfPictures.decodedSize(s, left);
                if (size < 0) {
                    return false;
                }
                left -= size;
            }
        }
        return true;
    }

    /**
     * PDFBox's text extraction, counting per page (index from 0) the path operators its content streams hold: a page
     * that draws many may draw a QR code ({@link PdfDrawings}). The count costs a set look-up per operator. It also
     * keeps the first {@value #INLINE_PER_PAGE} inline pictures per page that declare a size a code can have: PDFBox's
     * content parser has already read their data (the text extraction itself ignores them), so keeping them here
     * spares {@link PdfPictures} another pass over the content.
     */
    private static final class Stripper extends PDFTextStripper {
        static final int INLINE_PER_PAGE = 3;
        final int[] pathOperators = new int[TEXT_PAGES];
        final int[] inlineCount = new int[TEXT_PAGES];
        final List<PdfPictures.Inline> inlinePictures = new ArrayList<>();

        @Override
        protected void processOperator(org.apache.pdfbox.contentstream.operator.Operator operator, List<COSBase> operands)
                throws IOException {
            int page = getCurrentPageNo() - 1;
            if (page >= 0 && page < pathOperators.length) {
                String name = operator.getName();
                if (PdfDrawings.PATH_OPERATORS.contains(name)) {
                    pathOperators[page]++;
                } else if ("BI".equals(name) && inlineCount[page] < INLINE_PER_PAGE && operator.getImageData() != null
                        && operator.getImageParameters() != null
                        && PdfPictures.Inline.plausible(operator.getImageParameters())) {
                    inlineCount[page]++;
                    inlinePictures.add(new PdfPictures.Inline(page + 1, operator.getImageParameters(),
                            operator.getImageData()));
                }
            }
            super.processOperator(operator, operands);
        }
    }

    /** QR codes drawn on the pages that hold enough path operators, at most one per page. */
    private static List<PdfPictures.Code> drawnCodes(PDDocument doc, int[] pathOperators, long deadline) {
        List<PdfPictures.Code> codes = new ArrayList<>();
        for (int i = 0; i < pathOperators.length && i < doc.getNumberOfPages(); i++) {
            if (pathOperators[i] >= PdfDrawings.MIN_PATH_OPERATORS && System.nanoTime() < deadline) {
                int page = i + 1;
                PdfDrawings.qrCode(doc.getPage(i), deadline).ifPresent(text -> codes.add(new PdfPictures.Code(page, text)));
            }
        }
        return codes;
    }

    /** Words of Latin-script text, plus half a word per CJK character (Japanese is written without spaces). */
    static int words(String text) {
        int words = 0;
        int cjk = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            Character.UnicodeScript script = Character.UnicodeScript.of(c);
            if (script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                    || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.HANGUL) {
                cjk++;
                inWord = false;
            } else if (Character.isLetterOrDigit(c)) {
                if (!inWord) {
                    words++;
                }
                inWord = true;
            } else {
                inWord = false;
            }
        }
        return words + cjk / 2;
    }
}
