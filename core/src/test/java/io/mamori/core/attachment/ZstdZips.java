package io.mamori.core.attachment;

import io.airlift.compress.zstd.ZstdCompressor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipMethod;

/**
 * Zip archives whose entry is compressed with Zstandard (method 93, as WinZip writes them), for the tests of the
 * attachment and antivirus analyzers (the gateway's too, through core's test jar). No Java library writes such zips:
 * the entry's data is compressed by aircompressor and stored raw under method 93.
 */
public final class ZstdZips {

    private ZstdZips() {
    }

    /** A zip of one file, {@code content} compressed with Zstandard. */
    public static byte[] of(String name, byte[] content) throws IOException {
        ZstdCompressor zstd = new ZstdCompressor();
        byte[] packed = new byte[zstd.maxCompressedLength(content.length)];
        int length = zstd.compress(content, 0, content.length, packed, 0, packed.length);
        return raw(name, content, java.util.Arrays.copyOf(packed, length));
    }

    /** A zip of one entry whose data is {@code packed}, declared as Zstandard of {@code content} (damaged if it is not). */
    public static byte[] raw(String name, byte[] content, byte[] packed) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            ZipArchiveEntry e = new ZipArchiveEntry(name);
            e.setMethod(ZipMethod.ZSTD.getCode());
            e.setSize(content.length);
            e.setCompressedSize(packed.length);
            CRC32 crc = new CRC32();
            crc.update(content);
            e.setCrc(crc.getValue());
            zip.addRawArchiveEntry(e, new ByteArrayInputStream(packed));
        }
        return out.toByteArray();
    }
}
