package io.mamori.core.attachment;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.util.Map;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.filter.DecodeOptions;
import org.apache.pdfbox.filter.DecodeResult;
import org.apache.pdfbox.filter.Filter;
import org.apache.pdfbox.filter.FilterFactory;

/**
 * PDFBox's Flate and LZW filters with their predictor parameters checked first. PDFBox's PNG predictor copies
 * {@code min(rowLength - done, remaining)} bytes a turn; with a row length of 0 (a stream's {@code /DecodeParms} with
 * {@code /Columns 0}, or sizes whose product overflows to 0) it copies nothing, forever, and ignores interrupts: a
 * 611-byte PDF whose cross-reference stream says so never returns from {@code Loader.loadPDF} (PDFBox 3.0.6 and 3.0.8;
 * found by fuzzing, {@code bench/findings/}). A stream whose predictor row would be empty or larger than
 * {@value #MAX_ROW_BYTES} bytes (two such rows are allocated) is refused here as damaged, as PDFBox refuses other
 * damaged streams. PDFBox has no way to register a filter, so the two entries of its filter table are replaced once,
 * by reflection; every other filter stays PDFBox's. Until PDFBox checks the parameters itself (to be reported
 * upstream), this is the guard. Called by every class that has PDFBox read a PDF.
 */
public final class PdfDecoding {

    /** The longest predictor row accepted (a real image's row is kilobytes). */
    static final long MAX_ROW_BYTES = 16L * 1024 * 1024;

    private static boolean installed;

    private PdfDecoding() {
    }

    /** Puts the checked Flate and LZW filters into PDFBox's filter table, once per JVM. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        try {
            Field field = FilterFactory.class.getDeclaredField("filters");
            field.setAccessible(true);
            @SuppressWarnings("unchecked")
            Map<COSName, Filter> filters = (Map<COSName, Filter>) field.get(FilterFactory.INSTANCE);
            for (COSName name : new COSName[] {COSName.FLATE_DECODE, COSName.FLATE_DECODE_ABBREVIATION,
                    COSName.LZW_DECODE, COSName.LZW_DECODE_ABBREVIATION}) {
                Filter filter = filters.get(name);
                if (filter != null && !(filter instanceof Checked)) {
                    filters.put(name, new Checked(filter));
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot guard PDFBox's predictor (PDFBox changed its filter table)", e);
        }
        installed = true;
    }

    /** Whether a stream's decode parameters give its predictor a row it can fill (see the class comment). */
    static boolean usableRow(COSDictionary params) {
        if (params == null || params.getInt(COSName.PREDICTOR, 1) <= 1) {
            return true;
        }
        long columns = params.getInt(COSName.COLUMNS, 1);
        long colors = Math.min(params.getInt(COSName.COLORS, 1), 32);
        long bits = params.getInt(COSName.BITS_PER_COMPONENT, 8);
        if (columns < 1 || colors < 1 || bits < 1) {
            return false;
        }
        // in long arithmetic; within the cap PDFBox's own int arithmetic cannot overflow either
        return (columns * colors * bits + 7) / 8 <= MAX_ROW_BYTES;
    }

    /** One of PDFBox's filters, refusing a predictor without a usable row. */
    private static final class Checked extends Filter {
        private final Filter filter;

        Checked(Filter filter) {
            this.filter = filter;
        }

        @Override
        public DecodeResult decode(InputStream encoded, OutputStream decoded, COSDictionary parameters, int index)
                throws IOException {
            check(parameters, index);
            return filter.decode(encoded, decoded, parameters, index);
        }

        @Override
        public DecodeResult decode(InputStream encoded, OutputStream decoded, COSDictionary parameters, int index,
                DecodeOptions options) throws IOException {
            check(parameters, index);
            return filter.decode(encoded, decoded, parameters, index, options);
        }

        @Override
        protected void encode(InputStream input, OutputStream encoded, COSDictionary parameters) throws IOException {
            filter.encode(input, encoded, parameters, 0);
        }

        private void check(COSDictionary parameters, int index) throws IOException {
            if (!usableRow(getDecodeParams(parameters, index))) {
                throw new IOException("damaged stream: its predictor has no usable row (/Columns, /Colors or"
                        + " /BitsPerComponent)");
            }
        }
    }
}
