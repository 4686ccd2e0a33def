package io.mamori.core.attachment;

/**
 * Bounds on looking inside archives, per message, so that a hostile archive costs bounded time and memory.
 * Passing a bound is a finding ({@code ARCHIVE_TOO_DEEP} for depth, {@code ARCHIVE_BOMB} for the others),
 * never an exception or unbounded work.
 *
 * @param maxDepth       archives inside archives opened (1 = the attachment's own entries only)
 * @param maxEntries     archive entries looked at across the message
 * @param maxRatio       decompressed-to-compressed ratio allowed for one entry once it passes 1 MiB
 * @param maxTotalBytes  decompressed bytes read across the message
 * @param maxBufferBytes largest single file held in memory to be opened (OLE2 documents, 7z archives)
 */
public record ArchiveLimits(int maxDepth, int maxEntries, int maxRatio, long maxTotalBytes, int maxBufferBytes) {

    public ArchiveLimits {
        if (maxDepth < 1 || maxEntries < 1 || maxRatio < 2 || maxTotalBytes < 1 || maxBufferBytes < 1024) {
            throw new IllegalArgumentException("archive limits out of range: depth " + maxDepth + ", entries "
                    + maxEntries + ", ratio " + maxRatio + ", total " + maxTotalBytes + ", buffer " + maxBufferBytes);
        }
    }

    /** Depth 5, 1000 entries, ratio 100, 200 MiB in total, 32 MiB per buffered file. */
    public static ArchiveLimits defaults() {
        return new ArchiveLimits(5, 1000, 100, 200L * 1024 * 1024, 32 * 1024 * 1024);
    }
}
