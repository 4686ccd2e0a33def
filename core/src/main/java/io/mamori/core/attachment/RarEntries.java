package io.mamori.core.attachment;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The entries of a RAR archive (RAR 4, i.e. the format of RAR 1.5 to 4.x, and RAR 5), read from its block headers as
 * a stream: each entry's name, sizes, whether it is a folder, encrypted or stored without compression; the data of a
 * stored entry can be read as it is. Compressed data is skipped, never decompressed.
 *
 * <p>Hand-written because no well-kept library under an open-source licence reads RAR: Apache Commons Compress does
 * not, and junrar and 7-Zip's RAR code are under the UnRAR licence, which is not an open-source one. Listing needs
 * only the headers, whose layout RARLAB publishes (the RAR 5.0 archive format, and technote.txt of RAR 4). That is
 * enough for what matters most in mail: the names of programs inside ({@code 請求書.pdf.exe}), encrypted entries, and
 * the content of stored entries, which is checked like any other file.
 *
 * <p>Bounded: a header is at most {@value #MAX_HEADER} bytes, a name at most {@value #MAX_NAME} bytes, and a skip of
 * data can only move forward through the stream. Damaged or truncated archives end in an {@link IOException}. Not
 * thread-safe; one reader per archive.
 */
final class RarEntries {

    /** One file or folder of the archive. */
    record Entry(String name, long packedSize, long size, boolean directory, boolean encrypted, boolean stored) {
    }

    static final int MAX_HEADER = 64 * 1024;
    static final int MAX_NAME = 4096;

    private static final byte[] RAR4 = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x00};
    private static final byte[] RAR5 = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x01, 0x00};

    private final InputStream in;
    private final boolean five;
    /** Bytes of the current entry's data not yet read or skipped. */
    private long remaining;
    private boolean ended;

    /** Reads the signature; throws if the stream does not start with one of RAR 4 or RAR 5. */
    RarEntries(InputStream in) throws IOException {
        this.in = in;
        byte[] sig = in.readNBytes(7);
        if (!java.util.Arrays.equals(sig, RAR4) && !java.util.Arrays.equals(sig, 0, sig.length, RAR5, 0, 7)) {
            throw new IOException("not a RAR archive");
        }
        if (sig[6] == 0x01) {
            if (in.read() != 0) {
                throw new IOException("not a RAR archive");
            }
            five = true;
        } else {
            five = false;
        }
    }

    /** The next file or folder, or {@code null} at the end of the archive. */
    Entry next() throws IOException {
        skipRemaining();
        while (!ended) {
            Entry e = five ? nextFive() : nextFour();
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    /**
     * The current entry's data as stored in the archive: its content when the entry is stored without compression and
     * not encrypted, packed bytes otherwise. Ends at the entry's end.
     */
    InputStream data() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("RAR entry data truncated");
                }
                remaining--;
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int n = in.read(buf, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw new EOFException("RAR entry data truncated");
                }
                remaining -= n;
                return n;
            }
        };
    }

    private void skipRemaining() throws IOException {
        while (remaining > 0) {
            long n = in.skip(remaining);
            if (n <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("RAR archive truncated");
                }
                n = 1;
            }
            remaining -= n;
        }
    }

    // ---- RAR 5 ------------------------------------------------------------------------------------------------

    private static final int FIVE_FILE = 2;
    private static final int FIVE_SERVICE = 3;
    private static final int FIVE_ENCRYPTION = 4;
    private static final int FIVE_END = 5;

    /** One header block; the file's entry, or {@code null} for another block. */
    private Entry nextFive() throws IOException {
        byte[] crc = in.readNBytes(4);
        if (crc.length == 0) {
            ended = true; // an archive cut after its last file: the entries read so far stand
            return null;
        }
        if (crc.length < 4) {
            throw new EOFException("RAR header truncated");
        }
        long size = vint(in::read);
        if (size < 2 || size > MAX_HEADER) {
            throw new IOException("RAR header of " + size + " bytes");
        }
        Header h = new Header(in.readNBytes((int) size));
        if (h.bytes.length < size) {
            throw new EOFException("RAR header truncated");
        }
        long type = h.vint();
        long flags = h.vint();
        long extraSize = (flags & 0x0001) != 0 ? h.vint() : 0;
        long dataSize = (flags & 0x0002) != 0 ? h.vint() : 0;
        if (extraSize < 0 || extraSize > size || dataSize < 0) {
            throw new IOException("RAR header sizes out of range");
        }
        remaining = dataSize;
        if (type == FIVE_END) {
            ended = true;
            return null;
        }
        if (type == FIVE_ENCRYPTION) {
            throw new IOException("RAR headers are encrypted");
        }
        if (type != FIVE_FILE) {
            return null; // main archive header, service headers (comments, recovery records) and unknown blocks
        }
        long fileFlags = h.vint();
        long unpacked = h.vint();
        if (unpacked < 0) {
            throw new IOException("RAR file size out of range"); // a tenth byte past 2^63: no real archive's
        }
        h.vint(); // attributes
        if ((fileFlags & 0x0002) != 0) {
            h.skip(4); // modification time
        }
        if ((fileFlags & 0x0004) != 0) {
            h.skip(4); // CRC32 of the data
        }
        long compression = h.vint();
        h.vint(); // host OS
        long nameLength = h.vint();
        if (nameLength < 0 || nameLength > MAX_NAME) {
            throw new IOException("RAR name of " + nameLength + " bytes");
        }
        String name = new String(h.take((int) nameLength), StandardCharsets.UTF_8);
        boolean encrypted = false;
        int extraStart = (int) (size - extraSize);
        if (extraSize > 0 && extraStart >= h.at) {
            Header extra = new Header(java.util.Arrays.copyOfRange(h.bytes, extraStart, (int) size));
            while (extra.at < extra.bytes.length) {
                long recordSize = extra.vint();
                int recordStart = extra.at;
                if (recordSize <= 0 || recordSize > extra.bytes.length - recordStart) {
                    break; // a damaged extra area: what it would tell is not known
                }
                if (extra.vint() == 0x01) {
                    encrypted = true; // file encryption record
                }
                extra.at = recordStart + (int) recordSize;
            }
        }
        boolean directory = (fileFlags & 0x0001) != 0;
        boolean stored = ((compression >> 7) & 0x07) == 0;
        return new Entry(name, dataSize, (fileFlags & 0x0008) != 0 ? -1 : unpacked, directory, encrypted, stored);
    }

    /** Where a number's bytes come from: the next byte, or -1 at the end. */
    @FunctionalInterface
    private interface Bytes {
        int next() throws IOException;
    }

    /** A RAR 5 variable-length integer: 7 bits a byte, lowest first, the high bit set on all but the last. */
    private static long vint(Bytes bytes) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = bytes.next();
            if (b < 0) {
                throw new EOFException("RAR header truncated");
            }
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("RAR number longer than 10 bytes");
    }

    /** The bytes of one header, read field by field. */
    private static final class Header {
        final byte[] bytes;
        int at;

        Header(byte[] bytes) {
            this.bytes = bytes;
        }

        long vint() throws IOException {
            return RarEntries.vint(() -> at < bytes.length ? bytes[at++] & 0xff : -1);
        }

        void skip(int n) throws IOException {
            if (n > bytes.length - at) {
                throw new IOException("RAR header field past its end");
            }
            at += n;
        }

        byte[] take(int n) throws IOException {
            skip(n);
            return java.util.Arrays.copyOfRange(bytes, at - n, at);
        }

        int u8() throws IOException {
            skip(1);
            return bytes[at - 1] & 0xff;
        }

        int u16() throws IOException {
            return u8() | u8() << 8;
        }

        long u32() throws IOException {
            return u16() | (long) u16() << 16;
        }
    }

    // ---- RAR 4 ------------------------------------------------------------------------------------------------

    private static final int FOUR_ARCHIVE = 0x73;
    private static final int FOUR_FILE = 0x74;
    private static final int FOUR_END = 0x7B;

    private Entry nextFour() throws IOException {
        byte[] base = in.readNBytes(7);
        if (base.length == 0) {
            ended = true;
            return null;
        }
        if (base.length < 7) {
            throw new EOFException("RAR header truncated");
        }
        Header b = new Header(base);
        b.u16(); // CRC
        int type = b.u8();
        int flags = b.u16();
        int size = b.u16();
        if (size < 7) {
            throw new IOException("RAR header of " + size + " bytes");
        }
        Header h = new Header(in.readNBytes(size - 7));
        if (h.bytes.length < size - 7) {
            throw new EOFException("RAR header truncated");
        }
        long add = (flags & 0x8000) != 0 || type == FOUR_FILE ? h.u32() : 0;
        if (type == FOUR_END) {
            ended = true;
            return null;
        }
        if (type == FOUR_ARCHIVE && (flags & 0x0080) != 0) {
            throw new IOException("RAR headers are encrypted");
        }
        if (type != FOUR_FILE) {
            remaining = add;
            return null; // archive header, comments, recovery records, service blocks
        }
        long unpacked = h.u32();
        h.skip(1 + 4 + 4 + 1); // host OS, CRC, time, version needed
        int method = h.u8();
        int nameSize = h.u16();
        h.skip(4); // attributes
        if ((flags & 0x0100) != 0) {
            add |= h.u32() << 32;
            unpacked |= h.u32() << 32;
            if (add < 0 || unpacked < 0) {
                throw new IOException("RAR file sizes out of range"); // past 2^63: no real archive's
            }
        }
        if (nameSize > MAX_NAME) {
            throw new IOException("RAR name of " + nameSize + " bytes");
        }
        byte[] rawName = h.take(nameSize);
        remaining = add;
        String name = (flags & 0x0200) != 0 ? unicodeName(rawName) : new String(rawName, StandardCharsets.ISO_8859_1);
        boolean directory = (flags & 0x00E0) == 0x00E0;
        return new Entry(name.replace('\\', '/'), add, unpacked, directory, (flags & 0x0004) != 0, method == 0x30);
    }

    /**
     * A RAR 4 name with its Unicode form: the name in the archiver's code page, a zero byte, then the Unicode name
     * coded against it (a high byte shared by the name's characters; two bits per character choose one low byte, a
     * low byte with the shared high byte, a whole UTF-16 unit, or a run copied from the code-page name). Without the
     * zero byte the whole field is UTF-8, as RAR 3 and later write a name that needs no code page.
     */
    static String unicodeName(byte[] raw) {
        int zero = 0;
        while (zero < raw.length && raw[zero] != 0) {
            zero++;
        }
        if (zero == raw.length) {
            return new String(raw, StandardCharsets.UTF_8);
        }
        StringBuilder out = new StringBuilder();
        int pos = zero + 1;
        if (pos >= raw.length) {
            return new String(raw, 0, zero, StandardCharsets.ISO_8859_1);
        }
        int high = raw[pos++] & 0xff;
        int flags = 0;
        int flagBits = 0;
        while (pos < raw.length && out.length() < MAX_NAME) {
            if (flagBits == 0) {
                flags = raw[pos++] & 0xff;
                flagBits = 8;
                if (pos >= raw.length) {
                    break;
                }
            }
            flagBits -= 2;
            switch ((flags >> flagBits) & 0x03) {
                case 0 -> out.append((char) (raw[pos++] & 0xff));
                case 1 -> out.append((char) ((raw[pos++] & 0xff) | high << 8));
                case 2 -> {
                    if (pos + 1 >= raw.length) {
                        pos = raw.length;
                    } else {
                        out.append((char) ((raw[pos] & 0xff) | (raw[pos + 1] & 0xff) << 8));
                        pos += 2;
                    }
                }
                default -> {
                    int length = raw[pos++] & 0xff;
                    if ((length & 0x80) != 0) {
                        if (pos >= raw.length) {
                            break;
                        }
                        int correction = raw[pos++] & 0xff;
                        for (length = (length & 0x7f) + 2; length > 0 && out.length() < zero; length--) {
                            out.append((char) ((((raw[out.length()] & 0xff) + correction) & 0xff) | high << 8));
                        }
                    } else {
                        for (length += 2; length > 0 && out.length() < zero; length--) {
                            out.append((char) (raw[out.length()] & 0xff));
                        }
                    }
                }
            }
        }
        return out.toString();
    }
}
