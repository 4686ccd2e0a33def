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
        return readPicture(image).text();
    }

    /**
     * A picture read for a QR code: the code's text, or, when it held none, its brightness ({@code unread}, null when
     * the picture was not decoded at all) for {@link #readJoined}.
     */
    record Picture(Optional<String> text, Luminance unread) {
        static final Picture NONE = new Picture(Optional.empty(), null);
    }

    /** {@link #read(byte[])}, keeping the brightness of a picture without a code. */
    static Picture readPicture(byte[] image) {
        Luminance picture;
        try {
            picture = luminance(image);
        } catch (IOException | RuntimeException e) {
            // RuntimeException: image readers throw IllegalArgumentException and others on damaged files
            return Picture.NONE;
        }
        if (picture == null) {
            return Picture.NONE;
        }
        try {
            Optional<String> text = decode(picture);
            return new Picture(text, text.isPresent() ? null : picture);
        } catch (ReaderException | RuntimeException e) {
            return new Picture(Optional.empty(), picture);
        }
    }

    /** Share of a picture's pixels that must be near black or near white for it to be half of a code. */
    private static final double BILEVEL_SHARE = 0.9;

    /**
     * The text of a QR code split across two pictures, each holding none alone (a way past QR readers that look at
     * one picture at a time: the mail shows them one above the other, or side by side): {@code first} above
     * {@code second} when they are as wide, side by side when they are as high (both, for two halves of a square
     * cut down the middle), each also the other way round, on a white margin. Only pictures that are nearly all black and white are joined (a code's halves are; photographs and
     * banners are not), so that a newsletter's pictures cost a pass over their pixels, not a decode.
     */
    static Optional<String> readJoined(Luminance first, Luminance second) {
        boolean above = first.width() == second.width();
        boolean beside = first.height() == second.height();
        if (!(above || beside) || !bilevel(first) || !bilevel(second)) {
            return Optional.empty();
        }
        for (boolean stack : new boolean[] {true, false}) {
            if (stack ? !above : !beside) {
                continue;
            }
            for (Luminance[] pair : new Luminance[][] {{first, second}, {second, first}}) {
                try {
                    Optional<String> text = decode(stack ? stacked(pair[0], pair[1]) : sideBySide(pair[0], pair[1]));
                    if (text.isPresent()) {
                        return text;
                    }
                } catch (ReaderException | RuntimeException e) {
                    // not the two halves of one code this way round
                }
            }
        }
        return Optional.empty();
    }

    /** Nearly all pixels near black or near white, and some of each. */
    private static boolean bilevel(Luminance p) {
        int dark = 0;
        int light = 0;
        byte[] v = p.values();
        for (byte b : v) {
            int y = b & 0xff;
            if (y < 64) {
                dark++;
            } else if (y > 192) {
                light++;
            }
        }
        return dark + light >= BILEVEL_SHARE * v.length && dark > v.length / 20 && light > v.length / 20;
    }

    /** {@code top} above {@code bottom} (as wide), on a white margin. */
    private static Luminance stacked(Luminance top, Luminance bottom) {
        int w = top.width();
        int m = margin(w, top.height() + bottom.height());
        int cw = w + 2 * m;
        int ch = top.height() + bottom.height() + 2 * m;
        byte[] out = white(cw * ch);
        for (int y = 0; y < top.height(); y++) {
            System.arraycopy(top.values(), y * w, out, (m + y) * cw + m, w);
        }
        for (int y = 0; y < bottom.height(); y++) {
            System.arraycopy(bottom.values(), y * w, out, (m + top.height() + y) * cw + m, w);
        }
        return new Luminance(out, cw, ch);
    }

    /** {@code left} beside {@code right} (as high), on a white margin. */
    private static Luminance sideBySide(Luminance left, Luminance right) {
        int h = left.height();
        int m = margin(left.width() + right.width(), h);
        int cw = left.width() + right.width() + 2 * m;
        int ch = h + 2 * m;
        byte[] out = white(cw * ch);
        for (int y = 0; y < h; y++) {
            System.arraycopy(left.values(), y * left.width(), out, (m + y) * cw + m, left.width());
            System.arraycopy(right.values(), y * right.width(), out, (m + y) * cw + m + left.width(), right.width());
        }
        return new Luminance(out, cw, ch);
    }

    private static byte[] white(int n) {
        byte[] values = new byte[n];
        Arrays.fill(values, (byte) 0xff);
        return values;
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
    record Luminance(byte[] values, int width, int height) {
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
