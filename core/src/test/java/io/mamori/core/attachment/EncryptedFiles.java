package io.mamori.core.attachment;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import net.lingala.zip4j.io.outputstream.ZipOutputStream;
import net.lingala.zip4j.model.ZipParameters;
import net.lingala.zip4j.model.enums.EncryptionMethod;
import org.apache.poi.poifs.crypt.EncryptionInfo;
import org.apache.poi.poifs.crypt.EncryptionMode;
import org.apache.poi.poifs.crypt.Encryptor;
import org.apache.poi.poifs.filesystem.POIFSFileSystem;

/** Password-protected files for tests, written by the libraries that read them (Zip4j, Apache POI). */
public final class EncryptedFiles {

    private EncryptedFiles() {
    }

    /** A zip archive encrypted with one password: AES-256, or the traditional ZipCrypto; names and contents alternate. */
    public static byte[] zip(String password, boolean aes, Object... namesAndContents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out, password.toCharArray())) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                ZipParameters p = new ZipParameters();
                p.setFileNameInZip((String) namesAndContents[i]);
                p.setEncryptFiles(true);
                p.setEncryptionMethod(aes ? EncryptionMethod.AES : EncryptionMethod.ZIP_STANDARD);
                zip.putNextEntry(p);
                zip.write((byte[]) namesAndContents[i + 1]);
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** An Office Open XML document ({@code ooxml}, a zip file) encrypted as Office does it (agile encryption, AES). */
    public static byte[] officeDocument(String password, byte[] ooxml) throws IOException, GeneralSecurityException {
        Encryptor encryptor = new EncryptionInfo(EncryptionMode.agile).getEncryptor();
        encryptor.confirmPassword(password);
        try (POIFSFileSystem fs = new POIFSFileSystem()) {
            try (OutputStream out = encryptor.getDataStream(fs)) {
                out.write(ooxml);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            fs.writeFilesystem(out);
            return out.toByteArray();
        }
    }
}
