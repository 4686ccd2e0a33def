package io.mamori.core.link;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.geom.GeneralPath;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pdfbox.contentstream.PDFGraphicsStreamEngine;
import org.apache.pdfbox.contentstream.operator.Operator;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.graphics.image.PDImage;

/**
 * QR codes drawn with the PDF's own vector graphics (a filled square per dark module, or runs of them) rather than
 * as a picture: a way to keep the code away from scanners that read only a document's pictures. A page whose content
 * draws at least {@value #MIN_PATH_OPERATORS} rectangles or path segments (counted while its text is extracted, so an
 * ordinary page costs nothing more) has its filled paths, and nothing else, drawn in grey at most
 * {@value #MAX_SIDE} pixels a side, and that picture goes to {@link QrCodes}.
 *
 * <p>Hand-written on PDFBox's {@link PDFGraphicsStreamEngine} instead of PDFBox's page renderer: a code is only
 * filled paths, and the renderer would also lay out text (fonts), decode every picture and apply shadings, which cost
 * far more and bring their own risks. Text operators are skipped, pictures and shadings are not drawn. Bounded: the
 * picture is at most {@value #MAX_SIDE} × {@value #MAX_SIDE} grey pixels, at most {@value #MAX_OPERATORS} path
 * operators are drawn per page, and drawing stops at the caller's deadline. Stateless.
 */
final class PdfDrawings {

    /** Fewer path operators on a page than this cannot draw the smallest code (21 × 21 modules, runs merged). */
    static final int MIN_PATH_OPERATORS = 60;
    static final int MAX_SIDE = 1200;
    static final int MAX_OPERATORS = 200_000;

    /** What text extraction counts per page: rectangles ({@code re}) and path segments ({@code m}, {@code l}, {@code c}). */
    static final Set<String> PATH_OPERATORS = Set.of("re", "m", "l", "c", "v", "y");

    /** Not drawn: text (no fonts are loaded), inline pictures and shadings. */
    private static final Set<String> SKIPPED = Set.of("BT", "ET", "Tf", "Tj", "TJ", "'", "\"", "Td", "TD", "Tm",
            "T*", "Tc", "Tw", "Tz", "TL", "Tr", "Ts", "d0", "d1", "BI", "ID", "EI", "sh");

    private PdfDrawings() {
    }

    /** The text of a QR code drawn on the page, or empty; nothing is drawn after {@code deadline} (nano time). */
    static Optional<String> qrCode(PDPage page, long deadline) {
        PDRectangle box = page.getCropBox();
        float width = Math.abs(box.getWidth());
        float height = Math.abs(box.getHeight());
        if (width < 1 || height < 1) {
            return Optional.empty();
        }
        double scale = MAX_SIDE / Math.max(width, height);
        int w = Math.max(1, (int) Math.ceil(width * scale));
        int h = Math.max(1, (int) Math.ceil(height * scale));
        BufferedImage picture = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = picture.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            // page space (points, origin at the lower left of the crop box) to pixels, y pointing down
            g.setTransform(new AffineTransform(scale, 0, 0, -scale, -scale * Math.min(box.getLowerLeftX(), box.getUpperRightX()),
                    scale * Math.max(box.getLowerLeftY(), box.getUpperRightY())));
            new Fills(page, g, deadline).processPage(page);
        } catch (IOException | RuntimeException e) {
            // a damaged content stream, the deadline or the operator bound: what was drawn so far is still read
        } finally {
            g.dispose();
        }
        return QrCodes.read(picture);
    }

    /** Draws the page's filled paths in their grey, and nothing else. */
    private static final class Fills extends PDFGraphicsStreamEngine {
        private final Graphics2D g;
        private final long deadline;
        private final GeneralPath path = new GeneralPath();
        private int operators;

        Fills(PDPage page, Graphics2D g, long deadline) {
            super(page);
            this.g = g;
            this.deadline = deadline;
        }

        @Override
        protected void processOperator(Operator operator, List<COSBase> operands) throws IOException {
            String name = operator.getName();
            if (SKIPPED.contains(name)) {
                return;
            }
            if (++operators > MAX_OPERATORS || (operators % 1024 == 0
                    && (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()))) {
                throw new IOException("drawing stopped");
            }
            super.processOperator(operator, operands);
        }

        @Override
        public void appendRectangle(Point2D p0, Point2D p1, Point2D p2, Point2D p3) {
            path.moveTo(p0.getX(), p0.getY());
            path.lineTo(p1.getX(), p1.getY());
            path.lineTo(p2.getX(), p2.getY());
            path.lineTo(p3.getX(), p3.getY());
            path.closePath();
        }

        @Override
        public void moveTo(float x, float y) {
            path.moveTo(x, y);
        }

        @Override
        public void lineTo(float x, float y) {
            if (path.getCurrentPoint() == null) {
                path.moveTo(x, y);
            } else {
                path.lineTo(x, y);
            }
        }

        @Override
        public void curveTo(float x1, float y1, float x2, float y2, float x3, float y3) {
            if (path.getCurrentPoint() == null) {
                path.moveTo(x3, y3);
            } else {
                path.curveTo(x1, y1, x2, y2, x3, y3);
            }
        }

        @Override
        public Point2D getCurrentPoint() {
            Point2D p = path.getCurrentPoint();
            return p == null ? new Point2D.Float() : p;
        }

        @Override
        public void closePath() {
            if (path.getCurrentPoint() != null) {
                path.closePath();
            }
        }

        @Override
        public void endPath() {
            path.reset();
        }

        @Override
        public void strokePath() {
            path.reset();
        }

        @Override
        public void fillPath(int windingRule) {
            path.setWindingRule(windingRule); // PDFBox passes Path2D's own rule: f non-zero, f* even-odd
            g.setColor(grey());
            g.fill(path);
            path.reset();
        }

        @Override
        public void fillAndStrokePath(int windingRule) {
            fillPath(windingRule);
        }

        @Override
        public void clip(int windingRule) {
            // clipping is not applied: a code clipped away would be drawn here, which only errs towards looking
        }

        @Override
        public void drawImage(PDImage pdImage) {
            // pictures are read by PdfPictures
        }

        @Override
        public void shadingFill(COSName shadingName) {
            // not drawn
        }

        /** The fill colour as a grey level; black when the colour space cannot say. */
        private Color grey() {
            try {
                int rgb = getGraphicsState().getNonStrokingColor().toRGB();
                int r = rgb >> 16 & 0xff;
                int gr = rgb >> 8 & 0xff;
                int b = rgb & 0xff;
                int y = (r * 299 + gr * 587 + b * 114) / 1000;
                return new Color(y, y, y);
            } catch (IOException | RuntimeException e) {
                return Color.BLACK;
            }
        }
    }
}
