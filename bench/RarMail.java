import io.mamori.core.attachment.RarWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.Base64;

/**
 * Writes two directories of N messages each for bench/rar-cost.sh, both with a 250 KB text report in a RAR 5 archive
 * written by the tests' RarWriter: in {@code packed/} compressed (literal-only compressed blocks, which libarchive
 * unpacks: the attachment analyzer runs bsdtar), in {@code stored/} stored (read in Java, no process). The archives
 * are of the same size, so the difference is the unpacking. Usage: RarMail N OUT_DIR.
 */
public class RarMail {
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]);
        StringBuilder t = new StringBuilder();
        for (int i = 0; t.length() < 200_000; i++) t.append("Line ").append(i).append(" of the quarterly report, 四半期報告書.\r\n");
        byte[] text = t.toString().getBytes(StandardCharsets.UTF_8);
        byte[] packed = RarWriter.rar5().add("報告書/report.txt", RarWriter.Kind.PACKED, text).end();
        byte[] stored = RarWriter.rar5().add("報告書/report.txt", RarWriter.Kind.STORED, text).end();
        for (String kind : new String[] {"packed", "stored"}) {
            byte[] att = kind.equals("packed") ? packed : stored;
            Path dir = Path.of(a[1], kind); Files.createDirectories(dir);
            for (int i = 0; i < n; i++) {
                String mail = "From: a@example.net\r\nTo: b@example.co.jp\r\nSubject: report " + i + "\r\nMessage-ID: <" + kind + i + "@example.net>\r\n"
                    + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nThe report is attached.\r\n"
                    + "--b\r\nContent-Type: application/octet-stream; name=report.rar\r\nContent-Disposition: attachment; filename=report.rar\r\n"
                    + "Content-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(att) + "\r\n--b--\r\n";
                Files.writeString(dir.resolve(i + ".eml"), mail);
            }
        }
        System.out.println("packed " + packed.length + " bytes, stored " + stored.length + " bytes, report " + text.length);
    }
}
