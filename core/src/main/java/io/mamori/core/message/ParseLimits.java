package io.mamori.core.message;

/**
 * Bounds that keep parsing hostile mail finite in time and memory. Past a bound the parser records a
 * {@link MimeDefect} and stops examining that much more, but still reads the input to its end.
 *
 * @param maxDepth             deepest multipart / embedded-message nesting examined
 * @param maxParts             leaf body parts recorded
 * @param maxHeaders           header fields per entity
 * @param maxHeaderFieldLength bytes of one header field (all its folded lines)
 * @param maxTextPerPart       decoded bytes of one text part kept for analysis
 * @param maxTotalText         decoded bytes of text kept across all parts
 * @param maxAttachmentBytes   decoded bytes of attachment (non-text) parts kept for content analysis across
 *                             all parts, see {@link PartContents}; 0 keeps none
 */
public record ParseLimits(
        int maxDepth,
        int maxParts,
        int maxHeaders,
        int maxHeaderFieldLength,
        int maxTextPerPart,
        long maxTotalText,
        long maxAttachmentBytes) {

    /** 25 MiB of attachment content per message: the common size limit of business mail services. */
    public static final long DEFAULT_MAX_ATTACHMENT_BYTES = 25L * 1024 * 1024;

    public ParseLimits {
        positive("maxDepth", maxDepth);
        positive("maxParts", maxParts);
        positive("maxHeaders", maxHeaders);
        if (maxHeaderFieldLength < 1000) {
            throw new IllegalArgumentException("maxHeaderFieldLength must be at least 1000 (RFC 5322 line length): "
                    + maxHeaderFieldLength);
        }
        if (maxTextPerPart < 0 || maxTotalText < 0) {
            throw new IllegalArgumentException("text limits must not be negative");
        }
        if (maxAttachmentBytes < 0) {
            throw new IllegalArgumentException("maxAttachmentBytes must not be negative: " + maxAttachmentBytes);
        }
    }

    /** With the default attachment content budget. */
    public ParseLimits(int maxDepth, int maxParts, int maxHeaders, int maxHeaderFieldLength, int maxTextPerPart,
            long maxTotalText) {
        this(maxDepth, maxParts, maxHeaders, maxHeaderFieldLength, maxTextPerPart, maxTotalText,
                DEFAULT_MAX_ATTACHMENT_BYTES);
    }

    /** The same limits with another attachment content budget. */
    public ParseLimits withMaxAttachmentBytes(long bytes) {
        return new ParseLimits(maxDepth, maxParts, maxHeaders, maxHeaderFieldLength, maxTextPerPart, maxTotalText, bytes);
    }

    /**
     * 50 levels, 1000 parts, 1000 header fields of at most 64 KiB, 1 MiB of text per part and 4 MiB in total,
     * 25 MiB of attachment content.
     */
    public static ParseLimits defaults() {
        return new ParseLimits(50, 1000, 1000, 64 * 1024, 1024 * 1024, 4L * 1024 * 1024, DEFAULT_MAX_ATTACHMENT_BYTES);
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
