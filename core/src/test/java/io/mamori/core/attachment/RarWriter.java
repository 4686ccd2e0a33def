package io.mamori.core.attachment;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Writes RAR archives for tests, in the RAR 5 and RAR 4 formats as RARLAB documents them, with correct header and
 * data checksums (RarEntriesTest has bsdtar, libarchive's independent reader, list them). No RAR compressor exists
 * under an open-source licence, so entries are stored, carry opaque bytes marked as compressed or encrypted, or (RAR
 * 5 only) are really compressed with a minimal encoder: one block whose Huffman tables give every byte an 8-bit code
 * and no matches, which libarchive decodes (RarPackedTest extracts such entries with bsdtar). Real RAR compresses
 * far better, but the format is the same.
 */
public final class RarWriter {

    /**
     * STORED: the bytes as they are. COMPRESSED: the bytes as they are, marked as compressed (method 3), so no reader
     * can decode them. PACKED (RAR 5 only): the bytes really compressed (method 1), as {@link #packed} encodes them.
     * ENCRYPTED: opaque bytes behind a file encryption record. FOLDER: a folder, no data.
     */
    public enum Kind { STORED, COMPRESSED, PACKED, ENCRYPTED, FOLDER }

    /** The dictionary of PACKED entries, the smallest RAR 5 has (dictionary bits 0 in the compression information). */
    static final int PACKED_WINDOW = 128 * 1024;

    private final boolean five;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private RarWriter(boolean five) {
        this.five = five;
        if (five) {
            out.writeBytes(new byte[] {'R', 'a', 'r', '!', 0x1A, 0x07, 0x01, 0x00});
            header5(1, vint(0), new byte[0], -1); // main archive header, archive flags 0
        } else {
            out.writeBytes(new byte[] {'R', 'a', 'r', '!', 0x1A, 0x07, 0x00});
            block4(0x73, 0x0000, new byte[6]); // archive header: two reserved fields
        }
    }

    public static RarWriter rar5() {
        return new RarWriter(true);
    }

    static RarWriter rar4() {
        return new RarWriter(false);
    }

    public RarWriter add(String name, Kind kind, byte[] data) {
        if (kind == Kind.PACKED) {
            if (!five) {
                throw new IllegalArgumentException("PACKED entries are written in RAR 5 only");
            }
            // libarchive 3.6.2 (and the newer rar5 reader in its repository, as far as read) hands out what a block
            // decodes in steps of 64 KiB + 1 bytes (more than half the 128 KiB window); when the data ends exactly
            // at a step, or is empty, the next read finds no output left and takes the bytes after the entry for
            // another block header ("Block checksum error", "Unsupported block header size"). Such entries would
            // test libarchive's limit, not our archives.
            if (data.length % (PACKED_WINDOW / 2 + 1) == 0) {
                throw new IllegalArgumentException("libarchive cannot extract " + data.length
                        + " bytes packed: the length is a multiple of " + (PACKED_WINDOW / 2 + 1));
            }
        }
        if (five) {
            file5(name, kind, data);
        } else {
            file4raw(name.replace('/', '\\').getBytes(StandardCharsets.ISO_8859_1), kind, data, 0);
        }
        return this;
    }

    /** A RAR 4 entry whose name is written with its Unicode form (flag 0x200): the code-page name, 0, then UTF-16 units. */
    RarWriter addUnicode4(String ascii, String name, byte[] data) {
        byte[] a = ascii.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream n = new ByteArrayOutputStream();
        n.writeBytes(a);
        n.write(0);
        n.write(0); // the shared high byte, unused: every character below is written whole (two bits 10)
        for (int i = 0; i < name.length(); i++) {
            if (i % 4 == 0) {
                n.write(0xAA);
            }
            char c = name.charAt(i);
            n.write(c & 0xff);
            n.write(c >> 8);
        }
        file4raw(n.toByteArray(), Kind.STORED, data, 0x0200);
        return this;
    }

    public byte[] end() {
        if (five) {
            header5(5, vint(0), new byte[0], -1); // end of archive, flags 0
        } else {
            block4(0x7B, 0x4000, new byte[0]);
        }
        return out.toByteArray();
    }

    /** The archive without its end block, as a truncated download would be. */
    byte[] withoutEnd() {
        return out.toByteArray();
    }

    /** The entries {@link RarEntries} lists in an archive, in order. */
    static java.util.List<RarEntries.Entry> entries(byte[] archive) throws java.io.IOException {
        RarEntries rar = new RarEntries(new java.io.ByteArrayInputStream(archive));
        java.util.List<RarEntries.Entry> out = new java.util.ArrayList<>();
        for (RarEntries.Entry e; (e = rar.next()) != null; ) {
            out.add(e);
        }
        return out;
    }

    // ---- RAR 5 ----

    private void file5(String name, Kind kind, byte[] data) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        int fileFlags = (kind == Kind.FOLDER ? 0x0001 : 0) | 0x0004; // folder; data CRC present
        f.writeBytes(vint(fileFlags));
        f.writeBytes(vint(kind == Kind.FOLDER ? 0 : data.length)); // unpacked size
        f.writeBytes(vint(kind == Kind.FOLDER ? 0x10 : 0x20)); // Windows attributes
        f.writeBytes(u32(kind == Kind.FOLDER ? 0 : crc(data)));
        // method 3 (opaque), method 1 with the smallest dictionary, 128 KiB (bits 10-13 zero), or stored (0)
        f.writeBytes(vint(kind == Kind.COMPRESSED ? 3 << 7 : kind == Kind.PACKED ? 1 << 7 : 0));
        f.writeBytes(vint(0)); // host OS: Windows
        f.writeBytes(vint(nameBytes.length));
        f.writeBytes(nameBytes);
        byte[] extra = new byte[0];
        if (kind == Kind.ENCRYPTED) {
            ByteArrayOutputStream record = new ByteArrayOutputStream();
            record.writeBytes(vint(0x01)); // file encryption record
            record.writeBytes(vint(0)); // version: AES-256
            record.writeBytes(vint(0)); // flags
            record.write(15); // KDF count (log2)
            record.writeBytes(new byte[16]); // salt
            record.writeBytes(new byte[16]); // IV
            byte[] r = record.toByteArray();
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            e.writeBytes(vint(r.length));
            e.writeBytes(r);
            extra = e.toByteArray();
        }
        byte[] payload = kind == Kind.FOLDER ? new byte[0] : kind == Kind.PACKED ? packed(data) : data;
        header5(2, f.toByteArray(), extra, payload.length);
        out.writeBytes(payload);
    }

    /**
     * The data compressed as one RAR 5 block (libarchive's rar5 reader decodes it, as RarPackedTest checks):
     * a block header, Huffman tables, then one main-table code per byte. Every literal has the code length 8 and every
     * other symbol none, so the canonical code of byte b is b itself and the bytes follow the tables unchanged: no
     * match, no filter. Real RAR compresses better, but the format is the same.
     */
    private static byte[] packed(byte[] data) {
        BitWriter bits = new BitWriter();
        // the code lengths of the 20 symbols that encode the table lengths, one nibble each (15 would be an escape):
        // 8 (a length of 8) gets "0", 18 (3 + 3 bits zeros) "10", 19 (11 + 7 bits zeros) "11"
        for (int symbol = 0; symbol < 20; symbol++) {
            bits.write(symbol == 8 ? 1 : symbol == 18 || symbol == 19 ? 2 : 0, 4);
        }
        // 430 lengths: main table (256 literals, then 50 other symbols), 64 distances, 16 low distances, 44 lengths
        for (int i = 0; i < 256; i++) {
            bits.write(0b0, 1);
        }
        for (int zeros = 430 - 256; zeros > 0; ) {
            if (zeros >= 11) {
                int run = Math.min(zeros, 138);
                bits.write(0b11, 2);
                bits.write(run - 11, 7);
                zeros -= run;
            } else {
                int run = Math.max(zeros, 3); // a run past the end of the tables stops there
                bits.write(0b10, 2);
                bits.write(run - 3, 3);
                zeros -= run;
            }
        }
        for (byte b : data) {
            bits.write(b & 0xff, 8);
        }
        byte[] body = bits.toByteArray();
        if (body.length > 0xFFFFFF) {
            throw new IllegalArgumentException("one block holds at most 16 MiB");
        }
        int sizeBytes = body.length > 0xFFFF ? 3 : body.length > 0xFF ? 2 : 1;
        int bitsInLastByte = bits.length() % 8 == 0 ? 8 : (int) (bits.length() % 8);
        int flags = 0x80 | 0x40 | (sizeBytes - 1) << 3 | (bitsInLastByte - 1); // tables present, last block
        int checksum = 0x5A ^ flags ^ body.length & 0xff ^ body.length >> 8 & 0xff ^ body.length >> 16;
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(flags);
        block.write(checksum);
        for (int i = 0; i < sizeBytes; i++) {
            block.write(body.length >> 8 * i);
        }
        block.writeBytes(body);
        return block.toByteArray();
    }

    /** Bits written most significant first, as RAR 5 reads them. */
    private static final class BitWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int current;
        private long length;

        void write(int value, int count) {
            for (int i = count - 1; i >= 0; i--) {
                current = current << 1 | (value >> i & 1);
                if (++length % 8 == 0) {
                    out.write(current);
                    current = 0;
                }
            }
        }

        long length() {
            return length;
        }

        byte[] toByteArray() {
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            copy.writeBytes(out.toByteArray());
            int pending = (int) (length % 8);
            if (pending != 0) {
                copy.write(current << (8 - pending));
            }
            return copy.toByteArray();
        }
    }

    /** One RAR 5 header: CRC32, size, type, flags, [extra area size], [data size], the type's fields, the extra area. */
    private void header5(int type, byte[] fields, byte[] extra, long dataSize) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.writeBytes(vint(type));
        h.writeBytes(vint((extra.length > 0 ? 0x0001 : 0) | (dataSize >= 0 ? 0x0002 : 0)));
        if (extra.length > 0) {
            h.writeBytes(vint(extra.length));
        }
        if (dataSize >= 0) {
            h.writeBytes(vint(dataSize));
        }
        h.writeBytes(fields);
        h.writeBytes(extra);
        byte[] body = h.toByteArray();
        ByteArrayOutputStream sized = new ByteArrayOutputStream();
        sized.writeBytes(vint(body.length));
        sized.writeBytes(body);
        byte[] crcd = sized.toByteArray();
        out.writeBytes(u32(crc(crcd)));
        out.writeBytes(crcd);
    }

    // ---- RAR 4 ----

    private void file4raw(byte[] nameBytes, Kind kind, byte[] data, int extraFlags) {
        byte[] payload = kind == Kind.FOLDER ? new byte[0] : data;
        int flags = 0x8000 | extraFlags | (kind == Kind.ENCRYPTED ? 0x0004 : 0) | (kind == Kind.FOLDER ? 0x00E0 : 0);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(u32(payload.length)); // PACK_SIZE
        f.writeBytes(u32(payload.length)); // UNP_SIZE
        f.write(2); // HOST_OS: Win32
        f.writeBytes(u32(crc(payload))); // FILE_CRC
        f.writeBytes(u32(0x5B7C0000L)); // FTIME (DOS time, 2025-11-28)
        f.write(29); // UNP_VER
        f.write(kind == Kind.COMPRESSED ? 0x33 : 0x30); // METHOD: normal or store
        f.write(nameBytes.length & 0xff);
        f.write(nameBytes.length >> 8);
        f.writeBytes(u32(kind == Kind.FOLDER ? 0x10 : 0x20)); // ATTR
        f.writeBytes(nameBytes);
        block4(0x74, flags, f.toByteArray());
        out.writeBytes(payload);
    }

    private void block4(int type, int flags, byte[] rest) {
        int size = 7 + rest.length;
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.write(type);
        h.write(flags & 0xff);
        h.write(flags >> 8);
        h.write(size & 0xff);
        h.write(size >> 8);
        h.writeBytes(rest);
        byte[] body = h.toByteArray();
        long crc = crc(body) & 0xffff;
        out.write((int) (crc & 0xff));
        out.write((int) (crc >> 8));
        out.writeBytes(body);
    }

    // ---- bytes ----

    static byte[] vint(long v) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        do {
            int low = (int) (v & 0x7f);
            v >>>= 7;
            b.write(v != 0 ? low | 0x80 : low);
        } while (v != 0);
        return b.toByteArray();
    }

    private static byte[] u32(long v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    private static long crc(byte[] data) {
        CRC32 c = new CRC32();
        c.update(data);
        return c.getValue();
    }
}
