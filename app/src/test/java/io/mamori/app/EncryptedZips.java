package io.mamori.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Password-protected zips for the PPAP tests of the gateway and the console. */
public final class EncryptedZips {

    private EncryptedZips() {
    }

    /** A zip holding a short quote, AES-encrypted with {@code password} (Zip4j), in base64. */
    public static String base64(String password) throws IOException {
        java.io.ByteArrayOutputStream zipBytes = new java.io.ByteArrayOutputStream();
        try (var zip = new net.lingala.zip4j.io.outputstream.ZipOutputStream(zipBytes, password.toCharArray())) {
            var entry = new net.lingala.zip4j.model.ZipParameters();
            entry.setFileNameInZip("mitsumori.txt");
            entry.setEncryptFiles(true);
            entry.setEncryptionMethod(net.lingala.zip4j.model.enums.EncryptionMethod.AES);
            zip.putNextEntry(entry);
            zip.write("お見積り金額 120,000 円".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return java.util.Base64.getMimeEncoder().encodeToString(zipBytes.toByteArray());
    }
}
