package io.mamori.core.link;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.LuminanceSource;
import com.google.zxing.PlanarYUVLuminanceSource;
import com.google.zxing.ReaderException;
import com.google.zxing.Result;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import io.mamori.core.evasion.DrawnPictures;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Reads the text of a QR code in a PNG, JPEG, GIF or BMP image (javax.imageio to decode the picture, ZXing to find
 * and read the code). Bounded before any pixel is decoded: the image's header gives its size, and a picture smaller
 * than {@value #MIN_SIDE} pixels a side (icons, spacers, tracking pixels) or larger than {@value #MAX_PIXELS}
 * pixels in its header is not decoded at all; a larger one within that is read sub-sampled so that ZXing never
 * sees more than {@value #MAX_SIDE} pixels a side. Any failure (a damaged file, no code, a code ZXing cannot read)
 * is "no QR code", never an error. Pictures taken out of documents ({@link #read(BufferedImage)}, already decoded and
 * bounded by their reader) may be as small as a code of {@value #MIN_CODE_SIDE} modules at a pixel a module: a PDF
 * scales its pictures on the page. ZXing does not find a code that small, so they are enlarged by whole pixels and
 * put on a white margin (the quiet zone a picture cut at the code's edge lacks) before it looks.
 * Stateless and thread-safe.
 */
final class QrCodes {

    /** A code of 21 modules with its quiet zone at two pixels a module; smaller pictures are icons. */
    static final int MIN_SIDE = 50;
    /**
     * Pictures with more pixels than this (2000 × 2000) are not decoded: decoding costs by the pixel, and photos and
     * page scans are not how QR-code lures are drawn; decompression bombs declare huge sizes in a small file.
     */
    static final long MAX_PIXELS = 4_000_000L;
    /** Longest side handed to ZXing; a code that fills less than this share of a larger photo is not sought. */
    static final int MAX_SIDE = 600;
    /** The smallest QR code (version 1) is 21 modules a side. */
    static final int MIN_CODE_SIDE = 21;
    /** A document's picture smaller than this a side is enlarged by whole pixels to at least this. */
    private static final int ENLARGED_SIDE = 2 * MIN_SIDE;

    private static final Map<DecodeHintType, Object> HINTS = Map.of(DecodeHintType.CHARACTER_SET, "UTF-8");

    private QrCodes() {
    }

    /** Whether the bytes start like one of the image formats read here. */
    static boolean looksLikeImage(byte[] head, int length) {
        return (length >= 8 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G')
                || (length >= 3 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8 && (head[2] & 0xff) == 0xff)
                || (length >= 6 && head[0] == 'G' && head[1] == 'I' && head[2] == 'F' && head[3] == '8')
                || (length >= 14 && head[0] == 'B' && head[1] == 'M');
    }

    /** The text of the first QR code found in the image, or empty. */
    static Optional<String> read(byte[] image) {
        try {
            Luminance picture = luminance(image);
            return picture == null ? Optional.empty() : decode(picture);
        } catch (ReaderException | IOException | RuntimeException e) {
            // RuntimeException: image readers throw IllegalArgumentException and others on damaged files
            return Optional.empty();
        }
    }

    /**
     * The text of the first QR code in a picture taken out of a document, or empty. The caller bounds its size (at
     * most {@value #MAX_SIDE} pixels a side, sub-sampled by the document's reader); a picture of fewer than
     * {@value #MIN_CODE_SIDE} pixels a side cannot hold a code.
     */
    static Optional<String> read(BufferedImage picture) {
        int w = picture.getWidth();
        int h = picture.getHeight();
        if (w < MIN_CODE_SIDE || h < MIN_CODE_SIDE || w > 2 * MAX_SIDE || h > 2 * MAX_SIDE) {
            return Optional.empty();
        }
        try {
            return decode(framed(picture));
        } catch (ReaderException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** White cells drawn around a {@link DrawnPictures.Drawing}: the quiet zone a drawing cut at the code lacks. */
    static final int DRAWING_MARGIN = 8;
    /** A drawing's cells are drawn at up to 4 pixels, and the whole at most about this many pixels a side. */
    private static final int DRAWING_PIXELS = 1200;

    /**
     * The text of the first QR code in a grid drawn with characters or table cells, dark on light or, failing that,
     * light on dark (text drawn for a dark terminal, a table in inverted colours); each cell drawn as a square of
     * pixels on a white margin.
     */
    static Optional<String> read(DrawnPictures.Drawing drawing) {
        int w = drawing.width() + 2 * DRAWING_MARGIN;
        int h = drawing.height() + 2 * DRAWING_MARGIN;
        int scale = Math.max(1, Math.min(4, DRAWING_PIXELS / Math.max(w, h)));
        for (boolean inverted : new boolean[] {false, true}) {
            byte[] values = new byte[w * scale * h * scale];
            Arrays.fill(values, (byte) 0xff);
            for (int y = 0; y < drawing.height(); y++) {
                for (int x = 0; x < drawing.width(); x++) {
                    if (drawing.isDark(x, y) != inverted) {
                        int top = (y + DRAWING_MARGIN) * scale;
                        int left = (x + DRAWING_MARGIN) * scale;
                        for (int dy = 0; dy < scale; dy++) {
                            Arrays.fill(values, (top + dy) * w * scale + left,
                                    (top + dy) * w * scale + left + scale, (byte) 0);
                        }
                    }
                }
            }
            try {
                Optional<String> text = decode(new Luminance(values, w * scale, h * scale));
                if (text.isPresent()) {
                    return text;
                }
            } catch (ReaderException | RuntimeException e) {
                // no code this way round
            }
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> decode(Luminance picture) throws ReaderException {
        LuminanceSource source = new PlanarYUVLuminanceSource(picture.values(), picture.width(), picture.height(),
                0, 0, picture.width(), picture.height(), false);
        Result result = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source)), HINTS);
        String text = result.getText();
        return text == null || text.isBlank() ? Optional.empty() : Optional.of(text.strip());
    }

    /** One byte of brightness per pixel, row by row. */
    private record Luminance(byte[] values, int width, int height) {
    }

    private static Luminance luminance(byte[] image) throws IOException {
        // in memory: ImageIO.createImageInputStream would cache the stream in a temporary file
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(image))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w < MIN_SIDE || h < MIN_SIDE || (long) w * h > MAX_PIXELS) {
                    return null;
                }
                ImageReadParam param = reader.getDefaultReadParam();
                int step = (Math.max(w, h) + MAX_SIDE - 1) / MAX_SIDE;
                if (step > 1) {
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                if ("jpeg".equalsIgnoreCase(reader.getFormatName()) && reader.canReadRaster()) {
                    // The raw raster of a JPEG is its YCbCr data (no colour conversion, no colour profile applied):
                    // the first band is the brightness a QR reader needs. (In the rare RGB or CMYK JPEG it is the red
                    // or cyan channel, which still shows a black-and-white code.)
                    Raster raster = reader.readRaster(0, param);
                    int rw = raster.getWidth();
                    int rh = raster.getHeight();
                    int[] band = raster.getSamples(raster.getMinX(), raster.getMinY(), rw, rh, 0, (int[]) null);
                    byte[] values = new byte[band.length];
                    for (int i = 0; i < band.length; i++) {
                        values[i] = (byte) band[i];
                    }
                    return new Luminance(values, rw, rh);
                }
                return grey(reader.read(0, param));
            } finally {
                reader.dispose();
            }
        }
    }

    /**
     * A grey copy enlarged by whole pixels (nearest neighbour keeps the modules sharp) to at least
     * {@value #ENLARGED_SIDE} pixels a side, on a white margin of a tenth of its side.
     */
    private static Luminance framed(BufferedImage picture) {
        int w = picture.getWidth();
        int h = picture.getHeight();
        int scale = scale(w, h);
        int margin = margin(w, h);
        int cw = w * scale + 2 * margin;
        int ch = h * scale + 2 * margin;
        BufferedImage grey = new BufferedImage(cw, ch, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = grey.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, cw, ch);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.drawImage(picture, margin, margin, w * scale, h * scale, null);
        } finally {
            g.dispose();
        }
        return new Luminance(((DataBufferByte) grey.getRaster().getDataBuffer()).getData(), cw, ch);
    }

    private static int scale(int w, int h) {
        return Math.max(1, (ENLARGED_SIDE + Math.min(w, h) - 1) / Math.min(w, h));
    }

    /**
     * The white margin: a tenth of the enlarged picture's shorter side (a code fills at most that side, and its quiet
     * zone is a few modules), at least 8 pixels. Of the shorter side, so that a narrow strip (1200 × 21, enlarged five
     * times) gets a margin of a few pixels rather than one of 600 on every side, which made it 9 million pixels.
     */
    private static int margin(int w, int h) {
        return Math.max(8, Math.min(w, h) * scale(w, h) / 10);
    }

    /** Pixels of the grey picture ZXing is given for a document's picture of {@code w × h}. */
    static long framedPixels(int w, int h) {
        int scale = scale(w, h);
        int margin = margin(w, h);
        return (long) (w * scale + 2 * margin) * (h * scale + 2 * margin);
    }

    /** A grey copy drawn by Java 2D's native loops; getRGB would convert pixel by pixel through the colour model. */
    private static Luminance grey(BufferedImage picture) {
        int w = picture.getWidth();
        int h = picture.getHeight();
        BufferedImage grey = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = grey.createGraphics();
        try {
            // transparent pixels read as white, as on a mail reader's page
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.drawImage(picture, 0, 0, null);
        } finally {
            g.dispose();
        }
        return new Luminance(((DataBufferByte) grey.getRaster().getDataBuffer()).getData(), w, h);
    }
}
