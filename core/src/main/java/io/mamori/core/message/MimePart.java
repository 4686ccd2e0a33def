package io.mamori.core.message;

import java.util.ArrayList;
import java.util.List;

/**
 * One leaf body part (or the single body of a non-multipart message).
 *
 * @param path        position in the tree, e.g. {@code 1.2} (1-based, {@code 1} for a single body)
 * @param depth       multipart nesting depth (0 for a single body)
 * @param contentType lower-case media type, e.g. {@code text/plain}; {@code text/plain} when missing
 * @param charset     declared charset (lower case) or {@code null}
 * @param filename    decoded file name (RFC 2231 / RFC 2047 / raw name parameter), or {@code null}
 * @param attachment  whether it is an attachment (disposition attachment, or a file name on a non-text part)
 * @param size        decoded (transfer-decoded) size in bytes
 * @param text        decoded text of text/plain and text/html parts (capped, see ParseLimits), else {@code null}
 * @param content     decoded bytes of an attachment or any part that is not a text/plain or text/html body, as
 *                    far as {@link ParseLimits#maxAttachmentBytes()} reached (see {@link PartContent#complete()}),
 *                    else {@code null}; valid until the message's {@link PartContents} is closed
 * @param textComplete whether {@code text} is the whole text of the part; false when the parser kept only its
 *                    beginning ({@link ParseLimits#maxTextPerPart()}, {@link ParseLimits#maxTotalText()}), which
 *                    checks that must see all of it report (the links of a part past the limit are not all known)
 * @param otherNames  the part's names other than {@code filename} (a second {@code filename} parameter, the
 *                    Content-Type {@code name}, a repeated field, the sections of a broken RFC 2231 name before
 *                    its gap): what another mail client may show instead; empty for most parts
 */
public record MimePart(
        String path,
        int depth,
        String contentType,
        String charset,
        String filename,
        boolean attachment,
        long size,
        String text,
        PartContent content,
        boolean textComplete,
        List<String> otherNames) {

    public MimePart {
        otherNames = otherNames == null ? List.of() : List.copyOf(otherNames);
    }

    /** A part with no names besides {@code filename}. */
    public MimePart(String path, int depth, String contentType, String charset, String filename, boolean attachment,
            long size, String text, PartContent content, boolean textComplete) {
        this(path, depth, contentType, charset, filename, attachment, size, text, content, textComplete, List.of());
    }

    /** Every name the part has, {@code filename} first; empty when it has none. */
    public List<String> names() {
        if (filename == null) {
            return otherNames;
        }
        List<String> names = new ArrayList<>(otherNames.size() + 1);
        names.add(filename);
        names.addAll(otherNames);
        return names;
    }

    /** A part described without its content, its text (if any) whole. */
    public MimePart(String path, int depth, String contentType, String charset, String filename, boolean attachment,
            long size, String text) {
        this(path, depth, contentType, charset, filename, attachment, size, text, null, true);
    }
}
