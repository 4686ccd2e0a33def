package io.mamori.core.attachment;

import java.util.Optional;

/**
 * What trying one password on an encrypted 7z archive costs, read from the archive's header before any try: how many
 * folders (compressed streams) are AES-256 encrypted, and the largest {@code numCyclesPower} among them (7-Zip's key
 * derivation is 2<sup>numCyclesPower</sup> SHA-256 rounds; 7-Zip writes 19).
 *
 * <p>Hand-written, a reader of just the coder lists of the 7z header (7-Zip's {@code 7zFormat.txt}): Commons Compress
 * keeps the coders' properties to itself ({@code SevenZMethodConfiguration.getOptions()} is {@code null} for AES), and
 * its key derivation runs every round the archive asks for, up to 2<sup>62</sup>, without a cap and without noticing
 * interruption: a crafted archive would hold a thread for ever. A header that is only compressed (7-Zip's default) is
 * decompressed here (xz's LZMA decoder, at most 4 MiB) to read them. When the header is encrypted ({@code 7z -mhe=on})
 * {@link #of} sees the coders of the header's own folder; those of the content's folders are inside it, and
 * {@link #hidden} reads them with a password, once the header's own cost is known to be bounded: 7-Zip writes the
 * same properties for both, but a crafted archive need not.
 * Anything this reader does not expect (archive properties, additional streams, external folders, a coder with
 * alternative methods, numbers out of range) gives empty: the archive is then not tried.
 */
final class SevenZipKeys {

    /** 7-Zip's method id of AES-256 + SHA-256 ({@code 06 F1 07 01}). */
    private static final byte[] AES = {0x06, (byte) 0xF1, 0x07, 0x01};
    private static final int MAX_FOLDERS = 100_000;
    private static final int MAX_CODERS = 32;

    /**
     * @param encryptedFolders the folders with an AES coder (each costs one key derivation per password try)
     * @param maxCyclesPower   the largest {@code numCyclesPower} among them (0 for none; 63, "no hashing", counts 0)
     * @param headerEncrypted  whether these are the folders of an encrypted header ({@code 7z -mhe=on}), whose
     *                         content's folders are seen only with the password ({@link #hidden})
     */
    record Cost(int encryptedFolders, int maxCyclesPower, boolean headerEncrypted) {

        Cost(int encryptedFolders, int maxCyclesPower) {
            this(encryptedFolders, maxCyclesPower, false);
        }
    }

    private final byte[] b;
    private int pos;
    private final int end;

    private SevenZipKeys(byte[] b, int pos, int end) {
        this.b = b;
        this.pos = pos;
        this.end = end;
    }

    /** The cost of a 7z archive's password tries, or empty when its header cannot be read here. */
    static Optional<Cost> of(byte[] archive) {
        if (archive.length < 32) {
            return Optional.empty();
        }
        long offset = le64(archive, 12);
        long size = le64(archive, 20);
        if (offset < 0 || size <= 0 || offset > archive.length || size > archive.length - 32L - offset) {
            return Optional.empty();
        }
        int start = (int) (32 + offset);
        try {
            SevenZipKeys r = new SevenZipKeys(archive, start, (int) (start + size));
            if (r.u8() != 0x17) { // not kEncodedHeader
                r.pos--;
                return Optional.of(r.header());
            }
            // kEncodedHeader: the streams info of the header, which is compressed, encrypted or both
            Streams encoded = r.streamsInfo();
            if (encoded.cost.encryptedFolders() > 0) {
                return Optional.of(new Cost(encoded.cost.encryptedFolders(), encoded.cost.maxCyclesPower(), true));
            }
            // compressed only (7-Zip's default, -mhc=on): the content's coders are in the header, LZMA-compressed
            byte[] header = lzma(archive, encoded);
            return Optional.of(new SevenZipKeys(header, 0, header.length).header());
        } catch (IllegalStateException | ArrayIndexOutOfBoundsException | java.io.IOException e) {
            return Optional.empty();
        }
    }

    /**
     * For an archive whose header is encrypted ({@code 7z -mhe=on}): the cost of its content's folders, read from the
     * header decrypted with {@code password}; empty when the password does not open the header (or the header is not
     * one read here). Commons Compress decrypts it (one key derivation, of the cost {@link #of} saw) as the one file
     * of an archive made for the purpose: the same bytes with a plain header whose main streams are the encoded
     * header's. Call it only once {@link #of} said the header is encrypted and its cost is bounded.
     */
    static Optional<Cost> hidden(byte[] archive, char[] password) {
        Optional<Cost> seen = of(archive);
        if (seen.isEmpty() || !seen.get().headerEncrypted()) {
            return Optional.empty();
        }
        int start = (int) (32 + le64(archive, 12));
        int end = (int) (start + le64(archive, 20));
        if (archive[end - 1] != 0x00) {
            return Optional.empty();
        }
        long expected;
        try {
            expected = new SevenZipKeys(archive, start + 1, end).streamsInfo().crc;
        } catch (IllegalStateException | ArrayIndexOutOfBoundsException e) {
            return Optional.empty();
        }
        if (expected < 0) {
            return Optional.empty(); // nothing would tell a wrong password's garbage from the header
        }
        // kHeader, kMainStreamsInfo, the encoded header's streams info with an empty kSubStreamsInfo (one file a
        // folder; Commons Compress then does not check the folder's CRC, so it is checked below) before its kEnd, kFilesInfo of one file named "h" (Commons Compress makes
        // entries only for files a property names), kEnd
        java.io.ByteArrayOutputStream header = new java.io.ByteArrayOutputStream();
        header.write(0x01);
        header.write(0x04);
        header.write(archive, start + 1, end - start - 2);
        header.writeBytes(new byte[] {0x08, 0x00, 0x00, 0x05, 0x01, 0x11, 0x05, 0x00, 0x68, 0x00, 0x00, 0x00, 0x00,
            0x00});
        byte[] made = java.util.Arrays.copyOf(archive, start + header.size());
        System.arraycopy(header.toByteArray(), 0, made, start, header.size());
        java.nio.ByteBuffer le = java.nio.ByteBuffer.wrap(made).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        le.putLong(20, header.size());
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(made, start, header.size());
        le.putInt(28, (int) crc.getValue());
        crc.reset();
        crc.update(made, 12, 20);
        le.putInt(8, (int) crc.getValue());
        try (org.apache.commons.compress.archivers.sevenz.SevenZFile in =
                org.apache.commons.compress.archivers.sevenz.SevenZFile.builder()
                        .setSeekableByteChannel(new org.apache.commons.compress.utils.SeekableInMemoryByteChannel(made))
                        .setPassword(password).setMaxMemoryLimitKiB(64 * 1024).get()) {
            org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry e = in.getNextEntry();
            if (e == null || e.getSize() > MAX_HEADER || in.getNextEntry() != null) {
                return Optional.empty();
            }
            byte[] plain;
            try (java.io.InputStream content = in.getInputStream(e)) {
                plain = content.readNBytes(MAX_HEADER + 1); // to the end: Commons Compress checks the CRC there
            }
            java.util.zip.CRC32 check = new java.util.zip.CRC32();
            check.update(plain);
            if (plain.length > MAX_HEADER || check.getValue() != expected) {
                return Optional.empty();
            }
            return Optional.of(new SevenZipKeys(plain, 0, plain.length).header());
        } catch (java.io.IOException | RuntimeException wrongOrDamaged) {
            return Optional.empty();
        }
    }

    /** The largest decompressed header read (7-Zip's header for 1,000 files is some tens of KiB). */
    private static final int MAX_HEADER = 4 * 1024 * 1024;
    /** 7-Zip's method id of LZMA ({@code 03 01 01}). */
    private static final byte[] LZMA = {0x03, 0x01, 0x01};

    /** An encoded header that is one folder of one LZMA coder (as 7-Zip writes it), decompressed. */
    private static byte[] lzma(byte[] archive, Streams encoded) throws java.io.IOException {
        if (encoded.folders != 1 || encoded.lzmaProps == null || encoded.packSize < 0 || encoded.unpackSize < 0
                || encoded.unpackSize > MAX_HEADER) {
            throw new IllegalStateException();
        }
        long from = 32 + encoded.packPos;
        if (from + encoded.packSize > archive.length) {
            throw new IllegalStateException();
        }
        byte[] props = encoded.lzmaProps;
        int dictSize = (props[1] & 0xFF) | (props[2] & 0xFF) << 8 | (props[3] & 0xFF) << 16 | (props[4] & 0xFF) << 24;
        if (dictSize < 0 || dictSize > 64 * 1024 * 1024) {
            throw new IllegalStateException();
        }
        try (org.tukaani.xz.LZMAInputStream in = new org.tukaani.xz.LZMAInputStream(new java.io.ByteArrayInputStream(
                archive, (int) from, (int) encoded.packSize), encoded.unpackSize, props[0], dictSize)) {
            byte[] header = in.readNBytes((int) encoded.unpackSize);
            if (header.length != encoded.unpackSize) {
                throw new IllegalStateException();
            }
            return header;
        }
    }

    /** A plain header ({@code kHeader}): the coders of its main streams. */
    private Cost header() {
        if (u8() != 0x01) {
            throw new IllegalStateException();
        }
        int nid = u8();
        if (nid == 0x04) { // kMainStreamsInfo
            return streamsInfo().cost;
        }
        // kFilesInfo or kEnd: no streams, so nothing encrypted; archive or additional streams properties: never
        // written by 7-Zip, not read here
        if (nid == 0x05 || nid == 0x00) {
            return new Cost(0, 0);
        }
        throw new IllegalStateException();
    }

    /** What a streams info says: the cost of its folders, and for an encoded header where its one stream is. */
    private static final class Streams {
        Cost cost = new Cost(0, 0);
        long packPos = -1;
        long packSize = -1;
        long folders;
        long unpackSize = -1;
        /** The CRC of the only folder's output; -1 when none is given. */
        long crc = -1;
        /** The properties of the only coder when a single folder has a single LZMA coder; otherwise {@code null}. */
        byte[] lzmaProps;
    }

    private Streams streamsInfo() {
        Streams streams = new Streams();
        int nid = u8();
        if (nid == 0x06) { // kPackInfo
            packInfo(streams);
            nid = u8();
        }
        if (nid != 0x07) { // kUnPackInfo: the folders; without them there are no streams to decrypt
            if (nid == 0x08 || nid == 0x00) {
                return streams;
            }
            throw new IllegalStateException();
        }
        if (u8() != 0x0B) { // kFolder
            throw new IllegalStateException();
        }
        long folders = number();
        if (folders > MAX_FOLDERS || u8() != 0) { // external folders: not read here
            throw new IllegalStateException();
        }
        streams.folders = folders;
        long[] outs = new long[(int) folders];
        int encrypted = 0;
        int maxPower = 0;
        for (int f = 0; f < folders; f++) {
            Folder folder = folder(folders == 1);
            outs[f] = folder.out;
            if (folder.power >= 0) {
                encrypted++;
                maxPower = Math.max(maxPower, folder.power);
            }
            streams.lzmaProps = folder.lzmaProps;
        }
        streams.cost = new Cost(encrypted, maxPower);
        if (u8() != 0x0C) { // kCodersUnpackSize
            throw new IllegalStateException();
        }
        for (int f = 0; f < folders; f++) {
            for (long o = 0; o < outs[f]; o++) {
                long size = number();
                if (folders == 1 && outs[f] == 1) {
                    streams.unpackSize = size;
                }
            }
        }
        if (pos < end && b[pos] == 0x0A) { // kCRC of the folders' output
            pos++;
            if (folders == 1) {
                boolean defined = u8() != 0 || (u8() & 0x80) != 0;
                if (defined) {
                    streams.crc = (u8() | u8() << 8 | u8() << 16 | (long) u8() << 24) & 0xFFFFFFFFL;
                }
            } else {
                digests(folders);
            }
        }
        return streams;
    }

    private void packInfo(Streams streams) {
        streams.packPos = number();
        long count = number();
        if (count > MAX_FOLDERS * (long) MAX_CODERS) {
            throw new IllegalStateException();
        }
        for (int nid; (nid = u8()) != 0x00; ) {
            if (nid == 0x09) { // kSize
                for (long i = 0; i < count; i++) {
                    long size = number();
                    if (count == 1) {
                        streams.packSize = size;
                    }
                }
            } else if (nid == 0x0A) { // kCRC
                digests(count);
            } else {
                throw new IllegalStateException();
            }
        }
    }

    private void digests(long n) {
        long defined = n;
        if (u8() == 0) {
            defined = 0;
            for (long i = 0; i < (n + 7) / 8; i++) {
                defined += Integer.bitCount(u8());
            }
        }
        skip(4 * defined);
    }

    /** One folder's coders: its output streams, the numCyclesPower of its AES coder (-1 for none). */
    private record Folder(long out, int power, byte[] lzmaProps) {
    }

    private Folder folder(boolean only) {
        long coders = number();
        if (coders < 1 || coders > MAX_CODERS) {
            throw new IllegalStateException();
        }
        long in = 0;
        long out = 0;
        int power = -1;
        byte[] lzmaProps = null;
        for (long c = 0; c < coders; c++) {
            int flags = u8();
            if ((flags & 0x80) != 0) { // alternative methods: never written by 7-Zip
                throw new IllegalStateException();
            }
            int idSize = flags & 0x0F;
            boolean aes = idSize == AES.length;
            boolean lzma = idSize == LZMA.length;
            for (int i = 0; i < idSize; i++) {
                int id = u8();
                aes = aes && id == (AES[i] & 0xFF);
                lzma = lzma && id == LZMA[i];
            }
            if ((flags & 0x10) != 0) {
                in += number();
                out += number();
            } else {
                in++;
                out++;
            }
            if ((flags & 0x20) != 0) {
                long size = number();
                if (aes) {
                    if (size < 1) {
                        throw new IllegalStateException();
                    }
                    int cycles = b[checked(pos)] & 0x3F;
                    // 0x3F: the key is the salt and password themselves, no hashing (Commons Compress does the same)
                    power = Math.max(power, cycles == 0x3F ? 0 : cycles);
                }
                if (lzma && only && coders == 1 && size == 5) {
                    lzmaProps = java.util.Arrays.copyOfRange(b, checked(pos), checked(pos + 4) + 1);
                }
                skip(size);
            } else if (aes) {
                throw new IllegalStateException(); // AES without properties: Commons Compress refuses it too
            }
        }
        if (in > MAX_CODERS || out > MAX_CODERS || out < 1) {
            throw new IllegalStateException();
        }
        long bindPairs = out - 1;
        for (long i = 0; i < bindPairs; i++) {
            number();
            number();
        }
        long packed = in - bindPairs;
        if (packed < 1) {
            throw new IllegalStateException();
        }
        if (packed > 1) {
            for (long i = 0; i < packed; i++) {
                number();
            }
        }
        return new Folder(out, power, lzmaProps);
    }

    private int u8() {
        return b[checked(pos++)] & 0xFF;
    }

    private int checked(int at) {
        if (at >= end) {
            throw new IllegalStateException();
        }
        return at;
    }

    private void skip(long n) {
        if (n < 0 || n > end - pos) {
            throw new IllegalStateException();
        }
        pos += (int) n;
    }

    /** 7z's variable-length number: the leading one bits of the first byte say how many bytes follow. */
    private long number() {
        int first = u8();
        int mask = 0x80;
        long value = 0;
        for (int i = 0; i < 8; i++) {
            if ((first & mask) == 0) {
                long high = first & (mask - 1);
                value |= high << (8 * i);
                return checkedNumber(value);
            }
            value |= (long) u8() << (8 * i);
            mask >>>= 1;
        }
        return checkedNumber(value);
    }

    private static long checkedNumber(long value) {
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new IllegalStateException();
        }
        return value;
    }

    private static long le64(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}
