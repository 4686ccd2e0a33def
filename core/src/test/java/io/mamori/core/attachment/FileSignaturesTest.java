package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Disk images by content, whatever their name: Windows mounts ISO, UDF, VHD and VHDX files with a double-click, and
 * malware campaigns ship programs in them to strip the downloaded-file mark. Signatures: ECMA-119 and ECMA-167 volume
 * descriptors at sector 16 (byte 0x8001), the VHD footer's "conectix" cookie (a dynamic disk's copy of the footer at
 * offset 0), the VHDX file type identifier "vhdxfile".
 */
class FileSignaturesTest {

    private static byte[] at(int offset, String signature, int size) {
        byte[] file = new byte[size];
        byte[] s = signature.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, file, offset, s.length);
        return file;
    }

    private static String executable(byte[] file) {
        return FileSignatures.executable(file, Math.min(file.length, FileSignatures.HEAD));
    }

    @Test
    void isoUdfVhdAndVhdxDiskImagesAreRecognisedByTheirVolumeDescriptorsAndCookies() {
        assertThat(executable(at(0x8001, "CD001", 0x9000))).isEqualTo("disk image (ISO 9660)");
        assertThat(executable(at(0x8801, "CD001", 0x9000))).isEqualTo("disk image (ISO 9660)");
        assertThat(executable(at(0x8001, "BEA01", 0x9000))).isEqualTo("disk image (UDF)");
        assertThat(executable(at(0x8001, "NSR02", 0x9000))).isEqualTo("disk image (UDF)");
        assertThat(executable(at(0, "conectix", 4096))).isEqualTo("disk image (VHD)");
        assertThat(executable(at(0, "vhdxfile", 4096))).isEqualTo("disk image (VHDX)");
    }

    @Test
    void theSameWordsElsewhereOrAFileTooShortToHoldThemAreNoDiskImage() {
        assertThat(executable(at(0x10, "CD001", 0x9000))).isNull();
        assertThat(executable(at(0x8000, "CD001", 0x9000))).isNull();
        assertThat(executable(at(4, "conectix", 4096))).isNull();
        assertThat(executable(at(0, "CD001", 16))).isNull();
        assertThat(executable("vhdxfil".getBytes(StandardCharsets.US_ASCII))).isNull();
    }
}
