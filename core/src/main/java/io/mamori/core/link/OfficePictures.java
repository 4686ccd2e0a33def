package io.mamori.core.link;

import io.mamori.core.attachment.ArchiveContents;
import io.mamori.core.attachment.ArchiveLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;

/**
 * The pictures of an Office Open XML document, for {@link QrCodes}: a docx, xlsx or pptx is a zip file whose
 * pictures Word, Excel and PowerPoint keep under {@code word/media/}, {@code xl/media/} and {@code ppt/media/}.
 * Read as a stream with commons-compress, entry by entry, within the {@link ArchiveLimits} the attachment analyzer
 * opens archives with: at most {@link ArchiveLimits#maxEntries()} entries walked and
 * {@link ArchiveLimits#maxTotalBytes()} bytes decompressed per document, nothing after the caller's deadline. A
 * picture entry of more than {@value EmbeddedLinks#MAX_IMAGE_BYTES} bytes is not kept; the entries passed over are
 * only decompressed where the zip format needs it to find the next one (a data descriptor), and that is counted.
 * A damaged or encrypted document yields the pictures found before the damage: the attachment analyzer reports it.
 * Stateless.
 */
final class OfficePictures {

    /**
     * One picture of a document.
     *
     * @param entry the entry's name in the zip file, e.g. {@code word/media/image1.png}
     * @param bytes its content
     */
    record Picture(String entry, byte[] bytes) {
    }

    private OfficePictures() {
    }

    /**
     * At most {@code max} pictures (PNG, JPEG, GIF, BMP by their content) of the document, in entry order.
     *
     * @param named whether the file's name or declared type says it is an Office document; otherwise it is one only
     *              if its first entry is {@code [Content_Types].xml}, as Office writes it
     */
    static List<Picture> of(InputStream in, boolean named, ArchiveLimits limits, int max, long deadline) {
        List<Picture> pictures = new ArrayList<>();
        ZipArchiveInputStream zip = new ZipArchiveInputStream(in, StandardCharsets.UTF_8.name(), true, true);
        long expanded = 0;
        int entries = 0;
        try {
            for (ZipArchiveEntry e; (e = zip.getNextEntry()) != null; ) {
                if (++entries > limits.maxEntries() || pictures.size() >= max || System.nanoTime() > deadline
                        || Thread.currentThread().isInterrupted()) {
                    break;
                }
                String name = e.getName();
                if (entries == 1 && !named && !"[Content_Types].xml".equals(name)) {
                    break;
                }
                boolean readable = !e.isDirectory() && !e.getGeneralPurposeBit().usesEncryption() && zip.canReadEntryData(e);
                String lower = name.toLowerCase(Locale.ROOT);
                if (readable && ArchiveContents.isOfficeMedia(lower)
                        && e.getSize() <= EmbeddedLinks.MAX_IMAGE_BYTES) {
                    byte[] bytes = zip.readNBytes(EmbeddedLinks.MAX_IMAGE_BYTES + 1);
                    expanded += bytes.length;
                    if (bytes.length <= EmbeddedLinks.MAX_IMAGE_BYTES && bytes.length >= EmbeddedLinks.MIN_IMAGE_BYTES
                            && QrCodes.looksLikeImage(bytes, bytes.length)) {
                        pictures.add(new Picture(name, bytes));
                    }
                }
                if (readable && e.getGeneralPurposeBit().usesDataDescriptor()) {
                    // the next entry is found only by decompressing this one to its end: counted, and bounded
                    expanded = drain(zip, expanded, limits.maxTotalBytes(), deadline);
                    if (expanded < 0) {
                        break;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // damaged or truncated: the pictures found so far
        }
        return pictures;
    }

    /** Reads the rest of the entry; the new total, or -1 once past {@code budget} bytes or the deadline. */
    private static long drain(InputStream entry, long expanded, long budget, long deadline) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        for (int n; (n = entry.read(buffer)) > 0; ) {
            expanded += n;
            if (expanded > budget || System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                return -1;
            }
        }
        return expanded;
    }
}
