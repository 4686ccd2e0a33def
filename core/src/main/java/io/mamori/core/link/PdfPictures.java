package io.mamori.core.link;

import java.awt.Rectangle;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSObject;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.filter.FilterFactory;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.graphics.PDXObject;
import org.apache.pdfbox.pdmodel.graphics.form.PDFormXObject;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.apache.pdfbox.pdmodel.graphics.image.PDInlineImage;

/**
 * The QR codes drawn as pictures in a PDF ("quishing" documents): the image XObjects of the first {@value #MAX_PAGES}
 * pages and of the form XObjects those pages use (one level down), each picture once however many pages show it,
 * read by {@link QrCodes}. Bounded: at most {@value #MAX_CANDIDATES} XObjects looked at and {@value #MAX_IMAGES}
 * pictures decoded per PDF, none after the caller's deadline; a picture whose dictionary declares fewer than
 * {@value QrCodes#MIN_CODE_SIDE} or more than {@value QrCodes#MAX_PIXELS} pixels is not decoded, and a larger one is
 * decoded sub-sampled (PDFBox's {@code getImage(region, subsampling)}) to at most {@value QrCodes#MAX_SIDE} pixels a
 * side.
 *
 * <p>PDFBox decodes a stream whole into memory before it makes a picture of it, whatever the picture's declared
 * size: a few hundred kilobytes of Flate data can expand to gigabytes. So every stream a picture needs (its samples,
 * soft mask, mask, ICC profile, colour table) is first run through PDFBox's own filters into a counter that stops at
 * the size the picture's dictionary promises ({@value #MAX_DECODED_BYTES} bytes at most); only the filters that
 * decode as a stream (Flate, LZW, run length, ASCII hex and 85) are accepted there. A picture that is a JPEG file as
 * it stands ({@code DCTDecode} alone) goes to {@link QrCodes#read(byte[])}, which reads the JPEG's own header before
 * any pixel. Other encodings (CCITT fax, JBIG2, JPEG 2000) are not read. Inline pictures ({@code BI … ID … EI}),
 * which {@link PdfLinks} meets during its text extraction, are read the same way ({@link #qrCodes(List, long)}).
 * Stateless.
 */
final class PdfPictures {

    static final int MAX_PAGES = 3;
    static final int MAX_IMAGES = 5;
    static final int MAX_CANDIDATES = 100;
    static final long MAX_DECODED_BYTES = 16L * 1024 * 1024;

    /** Colour components of the device colour spaces an inline picture may name (long and abbreviated names). */
    private static final Map<COSBase, Integer> DEVICE_COMPONENTS = Map.of(COSName.DEVICEGRAY, 1, COSName.G, 1,
            COSName.DEVICERGB, 3, COSName.RGB, 3, COSName.DEVICECMYK, 4, COSName.CMYK, 4);

    private static final Set<COSName> STREAMING_FILTERS = Set.of(COSName.FLATE_DECODE, COSName.FLATE_DECODE_ABBREVIATION,
            COSName.LZW_DECODE, COSName.LZW_DECODE_ABBREVIATION, COSName.RUN_LENGTH_DECODE,
            COSName.RUN_LENGTH_DECODE_ABBREVIATION, COSName.ASCII_HEX_DECODE, COSName.ASCII_HEX_DECODE_ABBREVIATION,
            COSName.ASCII85_DECODE, COSName.ASCII85_DECODE_ABBREVIATION);

    /**
     * The text of a QR code in a PDF.
     *
     * @param page the page (1 = the first) whose resources hold the picture
     * @param text the code's text
     */
    record Code(int page, String text) {
    }

    private PdfPictures() {
    }

    /** The QR codes of the document's first pages, in page order; work stops at {@code deadline} (nano time). */
    static List<Code> qrCodes(PDDocument doc, long deadline) {
        List<Code> codes = new ArrayList<>();
        Set<COSStream> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        int decoded = 0;
        try {
            int pages = Math.min(doc.getNumberOfPages(), MAX_PAGES);
            for (int i = 0; i < pages && decoded < MAX_IMAGES && seen.size() < MAX_CANDIDATES; i++) {
                List<PDImageXObject> pictures = new ArrayList<>();
                collect(doc.getPage(i).getResources(), 0, pictures, seen);
                for (PDImageXObject picture : pictures) {
                    if (decoded >= MAX_IMAGES || System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                        return codes;
                    }
                    int w = picture.getWidth();
                    int h = picture.getHeight();
                    if (w < QrCodes.MIN_CODE_SIDE || h < QrCodes.MIN_CODE_SIDE || (long) w * h > QrCodes.MAX_PIXELS) {
                        continue;
                    }
                    decoded++;
                    int page = i + 1;
                    read(picture, w, h).ifPresent(text -> codes.add(new Code(page, text)));
                }
            }
        } catch (IOException | RuntimeException e) {
            // a damaged page tree or resource dictionary: the codes found so far
        }
        return codes;
    }

    /**
     * An inline picture of a page's content ({@code BI … ID … EI}), as PDFBox's content parser gives it: the picture's
     * dictionary and its still encoded data, which live in the page content (bounded by its reader).
     *
     * @param page       the page (1 = the first) whose content draws it
     * @param parameters the picture's dictionary (abbreviated keys: {@code /W}, {@code /H}, {@code /CS}, {@code /F} …)
     * @param data       its encoded samples
     */
    record Inline(int page, COSDictionary parameters, byte[] data) {

        /** Whether the picture declares a size a code can have: {@link #qrCodes} reads it only then. */
        static boolean plausible(COSDictionary parameters) {
            int w = parameters.getInt(COSName.W, COSName.WIDTH, -1);
            int h = parameters.getInt(COSName.H, COSName.HEIGHT, -1);
            return w >= QrCodes.MIN_CODE_SIDE && h >= QrCodes.MIN_CODE_SIDE && (long) w * h <= QrCodes.MAX_PIXELS;
        }
    }

    /**
     * The QR codes of inline pictures, in order; at most {@value #MAX_IMAGES} decoded, none after {@code deadline}.
     * Only pictures in a device colour space (grey, RGB, CMYK) or stencil masks are decoded: a named colour space
     * would bring a resource stream (an ICC profile) of its own. PDFBox's {@link PDInlineImage} decodes its data whole
     * when made, so the data is first run through the filters into the counter ({@link #decodedSize}), as for image
     * XObjects.
     */
    static List<Code> qrCodes(List<Inline> pictures, long deadline) {
        List<Code> codes = new ArrayList<>();
        int decoded = 0;
        for (Inline picture : pictures) {
            if (decoded >= MAX_IMAGES || System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                break;
            }
            if (!Inline.plausible(picture.parameters())) {
                continue;
            }
            decoded++;
            read(picture).ifPresent(text -> codes.add(new Code(picture.page(), text)));
        }
        return codes;
    }

    private static Optional<String> read(Inline picture) {
        try {
            COSDictionary p = picture.parameters();
            byte[] data = picture.data();
            int w = p.getInt(COSName.W, COSName.WIDTH, -1);
            int h = p.getInt(COSName.H, COSName.HEIGHT, -1);
            List<COSName> filters = filters(p.getDictionaryObject(COSName.F, COSName.FILTER));
            if (filters.size() == 1 && (COSName.DCT_DECODE.equals(filters.get(0))
                    || COSName.DCT_DECODE_ABBREVIATION.equals(filters.get(0)))) {
                return data.length > EmbeddedLinks.MAX_IMAGE_BYTES ? Optional.empty() : QrCodes.read(data);
            }
            for (COSName f : filters) {
                if (!STREAMING_FILTERS.contains(f)) {
                    return Optional.empty();
                }
            }
            boolean stencil = p.getBoolean(COSName.IM, COSName.IMAGE_MASK, false);
            int components = stencil ? 1
                    : DEVICE_COMPONENTS.getOrDefault(p.getDictionaryObject(COSName.CS, COSName.COLORSPACE), 0);
            int bits = stencil ? 1 : p.getInt(COSName.BPC, COSName.BITS_PER_COMPONENT, -1);
            if (components < 1 || bits < 1 || bits > 16) {
                return Optional.empty();
            }
            long expected = ((long) w * components * bits + 7) / 8 * h;
            long limit = expected + h + 4096;
            if (expected > MAX_DECODED_BYTES || (filters.isEmpty() ? data.length > limit
                    : decodedSize(filters, new ByteArrayInputStream(data), p, limit) < 0)) {
                return Optional.empty();
            }
            int step = (Math.max(w, h) + QrCodes.MAX_SIDE - 1) / QrCodes.MAX_SIDE;
            return QrCodes.read(new PDInlineImage(p, data, null).getImage(new Rectangle(0, 0, w, h), step));
        } catch (IOException | RuntimeException e) {
            // RuntimeException: PDFBox throws unchecked exceptions on damaged pictures
            return Optional.empty();
        }
    }

    /** The pictures of the resources and, {@code depth} 0 only, of their forms; at most {@value #MAX_CANDIDATES}. */
    private static void collect(PDResources resources, int depth, List<PDImageXObject> out, Set<COSStream> seen)
            throws IOException {
        if (resources == null) {
            return;
        }
        COSDictionary xobjects = resources.getCOSObject().getCOSDictionary(COSName.XOBJECT);
        if (xobjects == null) {
            return;
        }
        for (COSName name : xobjects.keySet()) {
            if (seen.size() >= MAX_CANDIDATES) {
                return;
            }
            if (!(xobjects.getDictionaryObject(name) instanceof COSStream s) || !seen.add(s)) {
                continue;
            }
            PDXObject x;
            try {
                x = resources.getXObject(name);
            } catch (IOException | RuntimeException e) {
                continue;
            }
            if (x instanceof PDImageXObject picture) {
                out.add(picture);
            } else if (x instanceof PDFormXObject form && depth == 0) {
                collect(form.getResources(), depth + 1, out, seen);
            }
        }
    }

    private static Optional<String> read(PDImageXObject picture, int w, int h) {
        try {
            COSStream stream = picture.getCOSObject();
            List<COSName> filters = filters(stream.getFilters());
            if (filters.size() == 1 && (COSName.DCT_DECODE.equals(filters.get(0))
                    || COSName.DCT_DECODE_ABBREVIATION.equals(filters.get(0)))) {
                byte[] jpeg;
                try (InputStream in = stream.createRawInputStream()) {
                    jpeg = in.readNBytes(EmbeddedLinks.MAX_IMAGE_BYTES + 1);
                }
                return jpeg.length > EmbeddedLinks.MAX_IMAGE_BYTES ? Optional.empty() : QrCodes.read(jpeg);
            }
            for (COSName key : List.of(COSName.COLORSPACE, COSName.SMASK, COSName.MASK)) {
                if (!referencedWithin(stream.getItem(key), 0)) {
                    return Optional.empty();
                }
            }
            int components = picture.isStencil() ? 1 : picture.getColorSpace().getNumberOfComponents();
            int bits = picture.isStencil() ? 1 : picture.getBitsPerComponent();
            if (components < 1 || bits < 1 || bits > 16) {
                return Optional.empty();
            }
            long expected = ((long) w * components * bits + 7) / 8 * h;
            // a little over: some writers pad the last row or add an end-of-line
            if (expected > MAX_DECODED_BYTES || !decodesWithin(stream, expected + h + 4096)) {
                return Optional.empty();
            }
            int step = (Math.max(w, h) + QrCodes.MAX_SIDE - 1) / QrCodes.MAX_SIDE;
            return QrCodes.read(picture.getImage(new Rectangle(0, 0, w, h), step));
        } catch (IOException | RuntimeException e) {
            // RuntimeException: PDFBox throws unchecked exceptions on damaged pictures
            return Optional.empty();
        }
    }

    /**
     * Whether the streams a picture's entry refers to (a soft mask, a mask, an ICC profile or colour table in a colour
     * space array, and theirs in turn, three levels down) decode within {@value #MAX_DECODED_BYTES} bytes.
     */
    private static boolean referencedWithin(COSBase value, int depth) throws IOException {
        COSBase v = value instanceof COSObject o ? o.getObject() : value;
        if (depth > 3 || v == null) {
            return v == null;
        }
        if (v instanceof COSStream s) {
            if (!decodesWithin(s, MAX_DECODED_BYTES)) {
                return false;
            }
            for (COSName key : List.of(COSName.COLORSPACE, COSName.SMASK, COSName.MASK, COSName.ALTERNATE)) {
                if (!referencedWithin(s.getItem(key), depth + 1)) {
                    return false;
                }
            }
        } else if (v instanceof COSArray array) {
            for (int i = 0; i < Math.min(array.size(), 8); i++) {
                if (!referencedWithin(array.get(i), depth + 1)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the stream decodes to at most {@code limit} bytes ({@link #decodedSize}). */
    static boolean decodesWithin(COSStream stream, long limit) throws IOException {
        return decodedSize(stream, limit) >= 0;
    }

    /**
     * How many bytes the stream decodes to, or -1 when more than {@code limit} or when a filter is not one that
     * decodes as a stream; found by running PDFBox's filters into a counter that stops at the limit (intermediate
     * results of a chain of filters are kept, each at most the limit). Also {@link PdfLinks}' check of page content.
     */
    static long decodedSize(COSStream stream, long limit) throws IOException {
        List<COSName> filters = filters(stream.getFilters());
        for (COSName f : filters) {
            if (!STREAMING_FILTERS.contains(f)) {
                return -1;
            }
        }
        if (filters.isEmpty()) {
            return stream.getLength() <= limit ? stream.getLength() : -1;
        }
        try (InputStream raw = stream.createRawInputStream()) {
            return decodedSize(filters, raw, stream, limit);
        }
    }

    /** {@link #decodedSize(COSStream, long)} of raw data, given its filters (all streaming) and their parameters. */
    private static long decodedSize(List<COSName> filters, InputStream raw, COSDictionary parameters, long limit)
            throws IOException {
        long size = 0;
        InputStream in = raw;
        for (int i = 0; i < filters.size(); i++) {
            boolean last = i == filters.size() - 1;
            Capped out = new Capped(limit, !last);
            try {
                FilterFactory.INSTANCE.getFilter(filters.get(i)).decode(in, out, parameters, i);
            } catch (IOException e) {
                if (out.exceeded) {
                    return -1;
                }
                throw e;
            }
            if (out.exceeded) {
                return -1;
            }
            size = out.count;
            if (!last) {
                in = new ByteArrayInputStream(out.kept.toByteArray());
            }
        }
        return size;
    }

    private static List<COSName> filters(COSBase value) {
        COSBase f = value instanceof COSObject o ? o.getObject() : value;
        if (f instanceof COSName name) {
            return List.of(name);
        }
        List<COSName> names = new ArrayList<>();
        if (f instanceof COSArray array) {
            for (int i = 0; i < array.size(); i++) {
                names.add(array.getObject(i) instanceof COSName name ? name : COSName.getPDFName("(not a name)"));
            }
        }
        return names;
    }

    /** Counts what a filter writes and fails the write that passes the limit; keeps the bytes when asked. */
    private static final class Capped extends java.io.OutputStream {
        private final long limit;
        private final ByteArrayOutputStream kept;
        private long count;
        private boolean exceeded;

        Capped(long limit, boolean keep) {
            this.limit = limit;
            this.kept = keep ? new ByteArrayOutputStream() : null;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count += len;
            if (count > limit) {
                exceeded = true;
                throw new IOException("decodes to more than " + limit + " bytes");
            }
            if (kept != null) {
                kept.write(b, off, len);
            }
        }
    }
}
