package io.mamori.core.attachment;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Recognises, from a file's first bytes, what matters for mail security and what Tika's magic database alone
 * does not say plainly: formats Windows runs or mounts (PE, LNK, disk images, OneNote, CHM), script content,
 * and the archive and document containers the inspection opens. Each check is a published signature (cited);
 * written here because they are a few bytes each and must not depend on a file name. Stateless.
 */
final class FileSignatures {

    /** Bytes of a file's head examined by every check (the ISO 9660 descriptor sits at 32 769). */
    static final int HEAD = 64 * 1024;

    private static final byte[] OLE2 = {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1, 0x1A, (byte) 0xE1};
    private static final byte[] SEVEN_ZIP = {'7', 'z', (byte) 0xBC, (byte) 0xAF, 0x27, 0x1C};
    private static final byte[] RAR4 = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x00};
    private static final byte[] RAR5 = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x01, 0x00};
    /** [MS-SHLLINK] 2.1: HeaderSize 0x4C and LinkCLSID 00021401-0000-0000-C000-000000000046. */
    private static final byte[] LNK = {0x4C, 0, 0, 0, 0x01, 0x14, 0x02, 0, 0, 0, 0, 0, (byte) 0xC0, 0, 0, 0, 0, 0, 0, 0x46};
    /** [MS-ONESTORE] 2.3.1: guidFileType of a .one section file, {7B5C52E4-D88C-4DA7-AEB1-5378D02996D3}. */
    private static final byte[] ONENOTE = {(byte) 0xE4, 0x52, 0x5C, 0x7B, (byte) 0x8C, (byte) 0xD8, (byte) 0xA7, 0x4D,
            (byte) 0xAE, (byte) 0xB1, 0x53, 0x78, (byte) 0xD0, 0x29, (byte) 0x96, (byte) 0xD3};

    /** Markers of Windows Script Host and PowerShell programs: objects a document never needs. */
    private static final List<String> SCRIPT_MARKERS = List.of(
            "wscript.shell", "scripting.filesystemobject", "shell.application", "wscript.createobject", "adodb.stream");
    private static final Pattern POWERSHELL = Pattern.compile(
            "powershell(?:\\.exe)?\\b[^\\r\\n]{0,200}?\\s-(?:e|en|enc|encodedcommand|w\\s+hidden|windowstyle\\s+hidden)\\b"
                    + "|\\biex\\s*\\(\\s*(?:new-object|\\(new-object)|invoke-expression\\b|downloadstring\\s*\\(",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern HTA = Pattern.compile("<hta:application\\b", Pattern.CASE_INSENSITIVE);

    private FileSignatures() {
    }

    static boolean startsWith(byte[] head, int length, byte[] magic) {
        return at(head, length, 0, magic);
    }

    static boolean at(byte[] head, int length, int offset, byte[] magic) {
        if (offset < 0 || length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[offset + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean ascii(byte[] head, int length, int offset, String text) {
        return at(head, length, offset, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    static boolean isOle2(byte[] head, int length) {
        return startsWith(head, length, OLE2);
    }

    /** Local file header, empty archive, or spanned-archive marker (APPNOTE 4.3.7, 4.3.16, 8.5.3). */
    static boolean isZip(byte[] head, int length) {
        return ascii(head, length, 0, "PK\u0003\u0004") || ascii(head, length, 0, "PK\u0005\u0006")
                || ascii(head, length, 0, "PK\u0007\u0008");
    }

    static boolean isSevenZip(byte[] head, int length) {
        return startsWith(head, length, SEVEN_ZIP);
    }

    static boolean isRar(byte[] head, int length) {
        return startsWith(head, length, RAR4) || startsWith(head, length, RAR5);
    }

    /** RFC 1952 section 2.3.1: ID1 ID2 and deflate as the method. */
    static boolean isGzip(byte[] head, int length) {
        return length >= 3 && head[0] == 0x1F && head[1] == (byte) 0x8B && head[2] == 8;
    }

    /**
     * POSIX ustar (and GNU tar) magic at offset 257, or an old (V7) header, which has no magic: tar and 7-Zip take a
     * first block with a name and a valid header checksum as a tar archive.
     */
    static boolean isTar(byte[] head, int length) {
        if (ascii(head, length, 257, "ustar")) {
            return true;
        }
        return length >= 512 && head[0] != 0 && tarChecksum(head);
    }

    /**
     * Whether the first 512 bytes are a tar header by its checksum (POSIX: the sum of its bytes with the checksum field
     * counted as blanks, in octal; old tars summed signed bytes). Parsed here, leniently as tar does: Commons Compress's
     * parser throws on a field that is not octal.
     */
    private static boolean tarChecksum(byte[] header) {
        long stored = 0;
        int i = 148;
        while (i < 156 && (header[i] == ' ' || header[i] == 0)) {
            i++;
        }
        int digits = 0;
        for (; i < 156 && header[i] >= '0' && header[i] <= '7'; i++, digits++) {
            stored = stored * 8 + (header[i] - '0');
        }
        if (digits == 0 || (i < 156 && header[i] != ' ' && header[i] != 0)) {
            return false;
        }
        long unsigned = 0;
        long signed = 0;
        for (int j = 0; j < 512; j++) {
            byte b = j >= 148 && j < 156 ? (byte) ' ' : header[j];
            unsigned += b & 0xff;
            signed += b;
        }
        return stored == unsigned || stored == signed;
    }

    /** A stream compressor whose output is one file (a gzip file is {@link #isGzip}). */
    enum Compression { BZIP2, XZ, LZMA, ZSTD, UNIX_COMPRESS }

    /** Which stream compressor wrote the content, by its magic, or {@code null}. */
    static Compression compression(byte[] head, int length) {
        // "BZh", the block size, and the first block's magic (pi) or the end of stream's (sqrt(pi)) for an empty one
        if (ascii(head, length, 0, "BZh") && length >= 10 && head[3] >= '1' && head[3] <= '9'
                && (at(head, length, 4, new byte[] {0x31, 0x41, 0x59, 0x26, 0x53, 0x59})
                        || at(head, length, 4, new byte[] {0x17, 0x72, 0x45, 0x38, 0x50, (byte) 0x90}))) {
            return Compression.BZIP2;
        }
        if (startsWith(head, length, new byte[] {(byte) 0xFD, '7', 'z', 'X', 'Z', 0})) {
            return Compression.XZ;
        }
        if (startsWith(head, length, new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD})) {
            return Compression.ZSTD;
        }
        if (startsWith(head, length, new byte[] {0x1F, (byte) 0x9D})) {
            return Compression.UNIX_COMPRESS;
        }
        // .lzma (LZMA alone) has no magic: the usual properties byte, a dictionary size and an unknown (all ones) or
        // plausible uncompressed size, as xz --format=lzma writes
        if (length >= 13 && head[0] == 0x5D && head[1] == 0 && head[2] == 0
                && (head[12] == 0 || (head[12] == (byte) 0xFF && head[11] == (byte) 0xFF && head[10] == (byte) 0xFF))) {
            return Compression.LZMA;
        }
        return null;
    }

    static boolean isCpio(byte[] head, int length) {
        return org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream.matches(head, length);
    }

    static boolean isAr(byte[] head, int length) {
        return ascii(head, length, 0, "!<arch>\n");
    }

    /** A TNEF stream (winmail.dat): its signature 0x223E9F78, little-endian ([MS-OXTNEF] 2.1.3.1). */
    static boolean isTnef(byte[] head, int length) {
        return startsWith(head, length, new byte[] {0x78, (byte) 0x9F, 0x3E, 0x22});
    }

    /**
     * The archive formats Mamori cannot open but Windows' tools, 7-Zip or LhaPlus do, by their magic, named for the
     * evidence, or {@code null}: their files cannot be checked, which must not pass as nothing found.
     */
    static String unopenedArchive(byte[] head, int length) {
        if (length >= 7 && head[2] == '-' && head[3] == 'l' && (head[4] == 'h' || head[4] == 'z') && head[6] == '-') {
            return "LZH";
        }
        if (ascii(head, length, 0, "xar!")) {
            return "XAR";
        }
        if (ascii(head, length, 0, "MSCF\u0000\u0000\u0000\u0000")) {
            return "CAB";
        }
        if (ascii(head, length, 0, "ISc(")) {
            return "InstallShield CAB";
        }
        if (ascii(head, length, 7, "**ACE**")) {
            return "ACE";
        }
        if (startsWith(head, length, new byte[] {0x60, (byte) 0xEA}) && length >= 4
                && ((head[2] & 0xff) | (head[3] & 0xff) << 8) <= 2600) {
            return "ARJ";
        }
        if (ascii(head, length, 0, "StuffIt") || ascii(head, length, 0, "SIT!")) {
            return "StuffIt";
        }
        if (ascii(head, length, 0, "zPQ")) {
            return "ZPAQ";
        }
        if (startsWith(head, length, new byte[] {(byte) 0xED, (byte) 0xAB, (byte) 0xEE, (byte) 0xDB})) {
            return "RPM";
        }
        return null;
    }

    /**
     * The media type of the common image formats by their signatures (PNG, JPEG, GIF, BMP, TIFF, WebP), named as
     * Tika names them, or {@code null}: most attachments are images, and this spares them Tika's full magic scan.
     */
    static String image(byte[] head, int length) {
        if (startsWith(head, length, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})) {
            return "image/png";
        }
        if (startsWith(head, length, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})) {
            return "image/jpeg";
        }
        if (ascii(head, length, 0, "GIF87a") || ascii(head, length, 0, "GIF89a")) {
            return "image/gif";
        }
        if (ascii(head, length, 0, "BM") && length >= 26 && head[14] >= 12 && head[15] == 0 && head[16] == 0 && head[17] == 0) {
            return "image/bmp";
        }
        if (ascii(head, length, 0, "II*\u0000") || ascii(head, length, 0, "MM\u0000*")) {
            return "image/tiff";
        }
        if (ascii(head, length, 0, "RIFF") && ascii(head, length, 8, "WEBP")) {
            return "image/webp";
        }
        return null;
    }

    /** Word opens anything starting {@code {\rt} as RTF, whatever its name, so the check is that short. */
    static boolean isRtf(byte[] head, int length) {
        return ascii(head, length, 0, "{\\rt");
    }

    /** ISO 32000-1 section 7.5.2 puts the header first; readers accept it within the first 1024 bytes. */
    static boolean isPdf(byte[] head, int length) {
        String start = new String(head, 0, Math.min(length, 1024), StandardCharsets.ISO_8859_1);
        return start.contains("%PDF-");
    }

    /**
     * What Windows would run or mount, from the content alone, or {@code null}.
     */
    static String executable(byte[] head, int length) {
        if (ascii(head, length, 0, "MZ") && length >= 0x40) {
            // PE/COFF specification 3.2: the PE signature sits at the offset stored at 0x3C.
            int pe = (head[0x3C] & 0xff) | (head[0x3D] & 0xff) << 8 | (head[0x3E] & 0xff) << 16 | (head[0x3F] & 0xff) << 24;
            if (ascii(head, length, pe, "PE\u0000\u0000")) {
                return "Windows executable (PE)";
            }
        }
        if (ascii(head, length, 0, "\u007fELF")) {
            return "ELF executable";
        }
        if (startsWith(head, length, new byte[] {(byte) 0xCF, (byte) 0xFA, (byte) 0xED, (byte) 0xFE})
                || startsWith(head, length, new byte[] {(byte) 0xCE, (byte) 0xFA, (byte) 0xED, (byte) 0xFE})) {
            return "Mach-O executable";
        }
        if (startsWith(head, length, LNK)) {
            return "Windows shortcut (LNK)";
        }
        if (ascii(head, length, 0x8001, "CD001") || ascii(head, length, 0x8801, "CD001") || ascii(head, length, 0x9001, "CD001")) {
            return "disk image (ISO 9660)";
        }
        if (ascii(head, length, 0x8001, "BEA01") || ascii(head, length, 0x8001, "NSR02") || ascii(head, length, 0x8001, "NSR03")) {
            return "disk image (UDF)";
        }
        if (ascii(head, length, 0, "conectix")) {
            return "disk image (VHD)";
        }
        if (ascii(head, length, 0, "vhdxfile")) {
            return "disk image (VHDX)";
        }
        if (startsWith(head, length, ONENOTE)) {
            return "OneNote document";
        }
        if (ascii(head, length, 0, "ITSF")) {
            return "compiled HTML help (CHM)";
        }
        return null;
    }

    /** Script content that runs when its file is opened on Windows, or {@code null}; only for text files. */
    static String script(byte[] head, int length) {
        String text = new String(head, 0, length, StandardCharsets.ISO_8859_1);
        // The case-insensitive patterns run only where a plain search of the lower-case text finds the words they
        // begin with: a case-insensitive pattern is tried at every position, and most text files have none of them.
        // (No Latin-1 character but an ASCII one lower-cases to ASCII, so the plain search misses nothing.)
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.contains("<hta:application") && HTA.matcher(text).find()) {
            return "HTML application (HTA)";
        }
        for (String marker : SCRIPT_MARKERS) {
            if (lower.contains(marker)) {
                return "Windows script (" + marker + ")";
            }
        }
        if ((lower.contains("powershell") || lower.contains("iex") || lower.contains("invoke-expression")
                || lower.contains("downloadstring")) && POWERSHELL.matcher(text).find()) {
            return "PowerShell command";
        }
        return null;
    }

    /**
     * Whether a RAR archive announces encryption in its first headers: RAR 5 archive encryption header
     * (type 4 right after the signature), RAR 4 main header flag 0x0080 (encrypted headers) or the first
     * file header's flag 0x0004 (encrypted file). Per the RAR 4 and 5 technical notes from rarlab.com.
     */
    static boolean rarEncrypted(byte[] head, int length) {
        if (startsWith(head, length, RAR5)) {
            int pos = 8 + 4; // signature, header CRC32
            long[] size = vint(head, length, pos);
            if (size == null) {
                return false;
            }
            long[] type = vint(head, length, (int) size[1]);
            return type != null && type[0] == 4;
        }
        if (startsWith(head, length, RAR4)) {
            int main = 7;
            if (length < main + 7 || (head[main + 2] & 0xff) != 0x73) {
                return false;
            }
            int mainFlags = u16(head, main + 3);
            if ((mainFlags & 0x0080) != 0) {
                return true;
            }
            int file = main + u16(head, main + 5);
            return length >= file + 7 && (head[file + 2] & 0xff) == 0x74 && (u16(head, file + 3) & 0x0004) != 0;
        }
        return false;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    /** RAR 5 variable-length integer: value and the offset after it, or {@code null} past the head. */
    private static long[] vint(byte[] b, int length, int at) {
        long value = 0;
        for (int shift = 0, i = at; i < length && shift < 63; shift += 7, i++) {
            value |= (long) (b[i] & 0x7f) << shift;
            if ((b[i] & 0x80) == 0) {
                return new long[] {value, i + 1};
            }
        }
        return null;
    }

    /** The first index of {@code pattern} in {@code data} at or after {@code from}, or -1. */
    static int indexOf(byte[] data, byte[] pattern, int from) {
        for (int i = Math.max(0, from); i + pattern.length <= data.length; i++) {
            if (data[i] == pattern[0] && startsAt(data, i, pattern)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code data} holds {@code pattern} at {@code at}. */
    static boolean startsAt(byte[] data, int at, byte[] pattern) {
        if (at < 0 || at + pattern.length > data.length) {
            return false;
        }
        for (int j = 0; j < pattern.length; j++) {
            if (data[at + j] != pattern[j]) {
                return false;
            }
        }
        return true;
    }
}
