package io.mamori.core.attachment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Encrypted 7z archives for tests, written by the real 7-Zip ({@code 7z}, Debian's p7zip-full): 7-Zip's AES-256 with its
 * own key derivation, as a sender's 7-Zip writes them. Commons Compress cannot write encrypted 7z archives.
 */
public final class SevenZipArchives {

    private SevenZipArchives() {
    }

    /**
     * A 7z archive of (name, content) pairs encrypted with {@code password}; with {@code hiddenNames} its header too
     * ({@code -mhe=on}: the names cannot be listed without the password).
     */
    public static byte[] encrypted(String password, boolean hiddenNames, Object... namesAndContents)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("mamori-7z");
        try {
            Path files = Files.createDirectory(dir.resolve("files"));
            List<String> command = new ArrayList<>(List.of("7z", "a", "-t7z", "-bd", "-y", "-p" + password,
                    "-mhe=" + (hiddenNames ? "on" : "off"), dir.resolve("out.7z").toString()));
            for (int i = 0; i < namesAndContents.length; i += 2) {
                String name = (String) namesAndContents[i];
                Path file = files.resolve(name);
                Files.createDirectories(file.getParent());
                Files.write(file, (byte[]) namesAndContents[i + 1]);
                if (name.indexOf('/') < 0 || command.stream().noneMatch(c -> c.equals(name.substring(0, name.indexOf('/'))))) {
                    command.add(name.indexOf('/') < 0 ? name : name.substring(0, name.indexOf('/')));
                }
            }
            ProcessBuilder builder = new ProcessBuilder(command).directory(files.toFile()).redirectErrorStream(true);
            builder.environment().put("LC_ALL", "C.UTF-8"); // file names as UTF-8, stored in the archive as UTF-16
            Process p = builder.start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("7z failed: " + new String(output, StandardCharsets.UTF_8));
            }
            return Files.readAllBytes(dir.resolve("out.7z"));
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /**
     * The same 7z archive (with an unencrypted header) with its AES coder asking for 2^{@code power} key derivation
     * rounds, its header CRCs made right again: what a crafted archive could ask.
     */
    public static byte[] withCyclesPower(byte[] archive, int power) {
        byte[] b = archive.clone();
        java.nio.ByteBuffer le = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int start = (int) (32 + le.getLong(12));
        int size = (int) le.getLong(20);
        for (int i = start; i + 5 < start + size; i++) {
            if (b[i] == 0x06 && b[i + 1] == (byte) 0xF1 && b[i + 2] == 0x07 && b[i + 3] == 0x01) {
                int props = i + 5; // after the id and the properties' size
                b[props] = (byte) ((b[props] & 0xC0) | power);
                java.util.zip.CRC32 next = new java.util.zip.CRC32();
                next.update(b, start, size);
                le.putInt(28, (int) next.getValue());
                java.util.zip.CRC32 startHeader = new java.util.zip.CRC32();
                startHeader.update(b, 12, 20);
                le.putInt(8, (int) startHeader.getValue());
                return b;
            }
        }
        throw new IllegalArgumentException("no AES coder in an unencrypted header");
    }

    /**
     * A 7z archive with an unencrypted, uncompressed header (one small file, {@code hiddenNames} off) given an encrypted
     * header as 7-Zip writes one (AES-256-CBC, 2^19 rounds of SHA-256 over the password, no salt, a 16-byte IV), made by
     * hand so that the header's cost and the content's can differ, as in a crafted archive.
     */
    public static byte[] withEncryptedHeader(byte[] archive, String password) throws Exception {
        java.nio.ByteBuffer le = java.nio.ByteBuffer.wrap(archive).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int start = (int) (32 + le.getLong(12));
        int size = (int) le.getLong(20);
        if (archive[start] != 0x01) {
            throw new IllegalArgumentException("not a plain header");
        }
        byte[] header = java.util.Arrays.copyOfRange(archive, start, start + size);
        byte[] padded = java.util.Arrays.copyOf(header, (header.length + 15) / 16 * 16);
        byte[] iv = new byte[16];
        new java.security.SecureRandom().nextBytes(iv);
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        byte[] pw = password.getBytes(StandardCharsets.UTF_16LE);
        byte[] counter = new byte[8];
        for (long round = 0; round < 1L << 19; round++) {
            sha.update(pw);
            sha.update(counter);
            for (int k = 0; k < 8 && ++counter[k] == 0; k++) {
                // carry
            }
        }
        javax.crypto.Cipher aes = javax.crypto.Cipher.getInstance("AES/CBC/NoPadding");
        aes.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(sha.digest(), "AES"),
                new javax.crypto.spec.IvParameterSpec(iv));
        byte[] encrypted = aes.doFinal(padded);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(header);
        java.io.ByteArrayOutputStream encoded = new java.io.ByteArrayOutputStream();
        encoded.write(0x17);
        encoded.write(0x06);
        number(encoded, start - 32);
        encoded.write(0x01);
        encoded.write(0x09);
        number(encoded, encrypted.length);
        encoded.writeBytes(new byte[] {0x00, 0x07, 0x0B, 0x01, 0x00, 0x01, 0x24, 0x06, (byte) 0xF1, 0x07, 0x01, 0x12,
                0x53, 0x0F});
        encoded.writeBytes(iv);
        encoded.write(0x0C);
        number(encoded, header.length);
        encoded.write(0x0A);
        encoded.write(0x01);
        int c = (int) crc.getValue();
        encoded.writeBytes(new byte[] {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24)});
        encoded.write(0x00);
        encoded.write(0x00);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(archive, 0, start);
        out.writeBytes(encrypted);
        out.writeBytes(encoded.toByteArray());
        byte[] made = out.toByteArray();
        java.nio.ByteBuffer m = java.nio.ByteBuffer.wrap(made).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        m.putLong(12, start - 32L + encrypted.length);
        m.putLong(20, encoded.size());
        java.util.zip.CRC32 next = new java.util.zip.CRC32();
        next.update(made, start + encrypted.length, encoded.size());
        m.putInt(28, (int) next.getValue());
        java.util.zip.CRC32 startHeader = new java.util.zip.CRC32();
        startHeader.update(made, 12, 20);
        m.putInt(8, (int) startHeader.getValue());
        return made;
    }

    /** 7z's variable-length number, for values below 2^14. */
    private static void number(java.io.ByteArrayOutputStream out, int value) {
        if (value < 0x80) {
            out.write(value);
        } else {
            out.write(0x80 | value >>> 8);
            out.write(value & 0xFF);
        }
    }
}
