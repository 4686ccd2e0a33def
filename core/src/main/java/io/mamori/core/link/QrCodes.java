package io.mamori.core.link;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.LuminanceSource;
import com.google.zxing.PlanarYUVLuminanceSource;
import com.google.zxing.ReaderException;
import com.google.zxing.Result;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads the text of a QR code in a PNG, JPEG, GIF or BMP image (javax.imageio to decode the picture, ZXing to find
 * and read the code). Bounded before any pixel is decoded: the image's header gives its size, and a picture smaller
 * than {@value #MIN_SIDE} pixels a side (icons, spacers, tracking pixels) or larger than {@value #MAX_PIXELS}
 * pixels in its header is not decoded at all; a larger one within that is read sub-sampled so that ZXing never
 * sees more than {@value #MAX_SIDE} pixels a side. Any failure (a damaged file, no code, a code ZXing cannot read)
 * is "no QR code", never an error. Stateless and thread-safe.
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
    static final int MAX_SIDE = 800;

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
            BufferedImage picture = decodeBounded(image);
            if (picture == null) {
                return Optional.empty();
            }
            int w = picture.getWidth();
            int h = picture.getHeight();
            // Java 2D's native loops make the grey copy; getRGB would convert pixel by pixel through the colour model
            BufferedImage grey = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            Graphics2D g = grey.createGraphics();
            try {
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, w, h);
                g.drawImage(picture, 0, 0, null);
            } finally {
                g.dispose();
            }
            byte[] luminance = ((DataBufferByte) grey.getRaster().getDataBuffer()).getData();
            LuminanceSource source = new PlanarYUVLuminanceSource(luminance, w, h, 0, 0, w, h, false);
            Result result = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source)), HINTS);
            String text = result.getText();
            return text == null || text.isBlank() ? Optional.empty() : Optional.of(text.strip());
        } catch (ReaderException | IOException | RuntimeException e) {
            // RuntimeException: image readers throw IllegalArgumentException and others on damaged files
            return Optional.empty();
        }
    }

    private static BufferedImage decodeBounded(byte[] image) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(image))) {
            if (in == null) {
                return null;
            }
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
                return reader.read(0, param);
            } finally {
                reader.dispose();
            }
        }
    }
}
