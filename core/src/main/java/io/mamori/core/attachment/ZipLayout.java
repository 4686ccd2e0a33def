package io.mamori.core.attachment;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of a zip file wherever they are in its bytes. Tools disagree on where a zip's files are: a stream reader
 * takes the local headers front to back and stops at the first end record; Windows' Explorer, 7-Zip and Python take
 * the central directory the last end record points to, wherever the archive starts; 7-Zip prefers the Info-ZIP
 * Unicode Path field to the raw name. Whatever any of them would show is found here, so that it can be judged.
 */
final class ZipLayout {

    static final int LOCAL = 0x04034b50;
    static final int CENTRAL = 0x02014b50;
    static final int END = 0x06054b50;
    private static final int UNICODE_PATH = 0x7075;

    /**
     * A local or central header: where it starts, its name, the Unicode Path field's name if any, its raw name, and the
     * uncompressed size it declares (0 for a folder, and in a local header followed by a data descriptor).
     */
    record Header(int offset, boolean central, String name, String unicodeName, byte[] rawName, long size) {

        /** Whether it names a folder ({@code a/}) that declares no data. */
        boolean folder() {
            return name.endsWith("/") && size == 0;
        }
    }

    private ZipLayout() {
    }

    /**
     * The offset of the end of central directory record readers use, the last one within reach of the end (its
     * comment is at most 65535 bytes), or -1.
     */
    static int end(byte[] b) {
        for (int i = b.length - 22; i >= 0 && i >= b.length - 22 - 65535; i--) {
            if (int32(b, i) == END) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Where the archive whose end record is at {@code end} in {@code b} starts, {@code at} being that record's offset in
     * the whole file: its central directory offset counts from there (a zip after other data whose offsets were not
     * adjusted, as {@code cat stub archive.zip} makes, starts after the data; one whose offsets were, as {@code zip -A}
     * does, at 0). Negative when the record points before the file (damaged, or ZIP64, whose fields say 0xFFFFFFFF).
     */
    static long start(byte[] b, int end, long at) {
        return at - uint32(b, end + 12) - uint32(b, end + 16);
    }

    /**
     * The last bytes of a file, kept while it streams past: enough to find a zip's end record (at most 65,557 bytes from
     * the end: 22 bytes and a comment of up to 65,535) and to hold a small zip after other data whole, without holding the
     * file. The buffer grows with the file up to {@value #WINDOW} bytes and no further.
     */
    static final class Tail {
        /** The most bytes kept. */
        static final int WINDOW = 1024 * 1024;
        private byte[] buf = new byte[8 * 1024];
        private int pos;
        private boolean full;
        private long length;

        /**
         * Reads {@code in} to its end, keeping its last bytes.
         *
         * @throws java.io.InterruptedIOException when the calling thread was interrupted (the analysis budget ran out)
         */
        static Tail of(InputStream in) throws IOException {
            Tail tail = new Tail();
            byte[] chunk = new byte[64 * 1024];
            for (int n; (n = in.read(chunk)) >= 0; ) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new java.io.InterruptedIOException("reading a file's tail interrupted");
                }
                tail.write(chunk, n);
            }
            return tail;
        }

        private void write(byte[] b, int n) {
            length += n;
            int off = 0;
            if (!full && pos + n <= WINDOW) {
                if (pos + n > buf.length) {
                    buf = java.util.Arrays.copyOf(buf, Math.min(WINDOW, Math.max(2 * buf.length, pos + n)));
                }
                System.arraycopy(b, 0, buf, pos, n);
                pos += n;
                return;
            }
            if (buf.length < WINDOW) {
                buf = java.util.Arrays.copyOf(buf, WINDOW);
            }
            full = true;
            if (n > WINDOW) {
                off = n - WINDOW;
                n = WINDOW;
            }
            int first = Math.min(n, WINDOW - pos);
            System.arraycopy(b, off, buf, pos, first);
            System.arraycopy(b, off + first, buf, 0, n - first);
            pos = (pos + n) % WINDOW;
        }

        /** The bytes the file has had: all of them, or the last {@value #WINDOW}. */
        long length() {
            return length;
        }

        /** The bytes kept, the file's last, in order. */
        byte[] bytes() {
            if (!full) {
                return java.util.Arrays.copyOf(buf, pos);
            }
            byte[] ordered = new byte[WINDOW];
            System.arraycopy(buf, pos, ordered, 0, WINDOW - pos);
            System.arraycopy(buf, 0, ordered, WINDOW - pos, pos);
            return ordered;
        }

        /** The size of the buffer held: for tests, which show it does not grow with the file. */
        int held() {
            return buf.length;
        }
    }

    /** Whether bytes follow the end record and its comment. */
    static boolean trailing(byte[] b, int end) {
        return end + 22L + uint16(b, end + 20) < b.length;
    }

    /** Every end of central directory record, at most {@code max}. */
    static List<Integer> ends(byte[] b, int max) {
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i + 22 <= b.length && found.size() < max; i++) {
            if (b[i] == 'P' && int32(b, i) == END) {
                found.add(i);
            }
        }
        return found;
    }

    /** Every local and central header whose fields fit in the bytes, at most {@code max}, in order. */
    static List<Header> headers(byte[] b, int max) {
        List<Header> found = new ArrayList<>();
        for (int i = 0; i + 30 <= b.length && found.size() < max; i++) {
            if (b[i] != 'P') {
                continue;
            }
            int signature = int32(b, i);
            if (signature == LOCAL) {
                int nameLength = uint16(b, i + 26);
                int extraLength = uint16(b, i + 28);
                if (i + 30L + nameLength + extraLength <= b.length) {
                    found.add(header(b, i, false, uint16(b, i + 6), i + 30, nameLength, i + 30 + nameLength,
                            extraLength, uint32(b, i + 22)));
                }
            } else if (signature == CENTRAL && i + 46 <= b.length) {
                int nameLength = uint16(b, i + 28);
                int extraLength = uint16(b, i + 30);
                if (i + 46L + nameLength + extraLength <= b.length) {
                    found.add(header(b, i, true, uint16(b, i + 8), i + 46, nameLength, i + 46 + nameLength,
                            extraLength, uint32(b, i + 24)));
                }
            }
        }
        return found;
    }

    private static Header header(byte[] b, int offset, boolean central, int flags, int nameAt, int nameLength,
            int extraAt, int extraLength, long declared) {
        byte[] raw = java.util.Arrays.copyOfRange(b, nameAt, nameAt + nameLength);
        String name = (flags & 0x800) != 0 ? new String(raw, StandardCharsets.UTF_8) : name(raw);
        String unicode = null;
        for (int p = extraAt; p + 4 <= extraAt + extraLength; ) {
            int id = uint16(b, p);
            int size = uint16(b, p + 2);
            if (p + 4 + size > extraAt + extraLength) {
                break;
            }
            // version (1), CRC-32 of the raw name (4), the name in UTF-8: 7-Zip takes it whatever the CRC says
            if (id == UNICODE_PATH && size > 5) {
                unicode = new String(b, p + 9, size - 5, StandardCharsets.UTF_8);
            }
            p += 4 + size;
        }
        return new Header(offset, central, name, unicode, raw, declared);
    }

    /** A raw name as {@code ContentInspection} reads entry names: UTF-8 if it is, else Japanese Windows' CP932. */
    static String name(byte[] raw) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException notUtf8) {
            return new String(raw, Charset.forName("MS932"));
        }
    }

    static int uint16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    static long uint32(byte[] b, int i) {
        return int32(b, i) & 0xffffffffL;
    }

    static int int32(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }
}
