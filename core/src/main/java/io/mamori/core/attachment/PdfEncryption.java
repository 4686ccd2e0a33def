package io.mamori.core.attachment;


/**
 * Whether a PDF needs a password to be opened (decided in {@link PdfInspection}, which loads the PDF once for this and
 * for its active content). Many business PDFs are encrypted with only an owner password
 * (printing or copying restricted) and open, and can be scanned, without one; only a PDF whose empty user
 * password fails is "encrypted, cannot be inspected". Apache PDFBox opens the PDF with the empty password (its
 * standard security handler runs the user password test of every revision, RC4 and AES): {@code
 * InvalidPasswordException} means a password is needed. A damaged PDF that declares an encryption dictionary
 * ({@code /Encrypt}) needs one when PDFBox cannot open it at all (or it uses another security handler, such as
 * certificates), and also when PDFBox opens it unencrypted: rebuilding a damaged file's trailer, PDFBox leaves the
 * encryption dictionary out and then reads encrypted content as noise. Without one it is a damaged PDF, not an
 * encrypted one. Bounded: at
 * most {@value #MAX_MEMORY} bytes of PDFBox's stream cache; opening parses only the cross-reference table, the
 * trailer and the document catalogue, never page content. Stateless.
 *
 * <p>The link analyzer loads the same PDF again for its links and pictures ({@code io.mamori.core.link.PdfLinks}).
 * The two loads are not shared: loading is the small part (about 1 ms for a 20-page, 400 KB PDF on the test machine,
 * against about 40 ms for its annotations and text), the two analyzers run in parallel, a {@code PDDocument} is not
 * thread-safe, and this check covers PDFs the link analyzer never opens (inside archives, up to
 * {@link ArchiveLimits#maxBufferBytes()}).
 */
public final class PdfEncryption {

    static final long MAX_MEMORY = 64L * 1024 * 1024;

    private PdfEncryption() {
    }

    /**
     * Whether PDFBox failed for want of BouncyCastle: it needs that library only for a PDF encrypted for its
     * recipients' certificates (the {@code Adobe.PubSec} security handler), and core does not depend on it (the
     * application has it through the gateway's TLS code), so without it PDFBox throws {@link NoClassDefFoundError} (an
     * {@code Error}, not an exception) as it opens such a PDF. The PDF is then one that cannot be opened without its
     * recipient's key, as with BouncyCastle: like one that needs a password. Found by fuzzing core, where the
     * analyzers failed on it.
     */
    public static boolean needsCertificate(NoClassDefFoundError e) {
        String missing = e.getMessage();
        return missing != null && missing.startsWith("org/bouncycastle/");
    }

    /**
     * Whether the bytes hold {@code /Encrypt} followed by a dictionary or an indirect reference. The encryption
     * dictionary is never inside an object stream (ISO 32000-1 7.5.7), so its key is plain text. Bytes, not a
     * string: this runs for every PDF that opens, and a PDF may be tens of megabytes.
     */
    static boolean declaresEncryption(byte[] pdf) {
        byte[] key = {'/', 'E', 'n', 'c', 'r', 'y', 'p', 't'};
        outer:
        for (int i = 0; i + key.length < pdf.length; i++) {
            for (int k = 0; k < key.length; k++) {
                if (pdf[i + k] != key[k]) {
                    continue outer;
                }
            }
            int j = i + key.length;
            while (j < pdf.length && (pdf[j] == ' ' || pdf[j] == '\r' || pdf[j] == '\n' || pdf[j] == '\t')) {
                j++;
            }
            if (j < pdf.length && (pdf[j] == '<' || (pdf[j] >= '0' && pdf[j] <= '9'))) {
                return true;
            }
        }
        return false;
    }
}
