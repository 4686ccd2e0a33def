package io.mamori.core.attachment;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.poi.hmef.attribute.TNEFProperty;

/**
 * A fixture writer for the tests: a minimal TNEF stream ([MS-OXTNEF]) with the attachments asked for, each an
 * {@code attAttachRenderData} attribute (which begins an attachment), an {@code attAttachTitle}, an
 * {@code attAttachData} and, when a long file name is given, an {@code attAttachment} attribute carrying it as the MAPI
 * property {@code PidTagAttachLongFilename}. None of MimeKit's samples attaches a program, a script or an archive: this
 * writes such streams, the way Outlook lays them out, for the inspection to find them.
 */
final class TnefWriter {

    private static final int LEVEL_MESSAGE = 1;
    private static final int LEVEL_ATTACHMENT = 2;
    /** [MS-OXTNEF] 2.1.3.3: attribute types. */
    private static final int TYPE_BYTE = 0x0006;
    private static final int TYPE_STRING = 0x0001;
    private static final int TYPE_WORD = 0x0007;
    private static final int TYPE_DWORD = 0x0008;
    /** PidTagAttachLongFilename as PT_STRING8. */
    private static final int PT_STRING8 = 0x001E;
    private static final int ATTACH_LONG_FILENAME = 0x3707;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TnefWriter() {
        int32(0x223E9F78);
        int16(0x0001); // legacy key
        // attTnefVersion, as every writer puts first
        attribute(LEVEL_MESSAGE, 0x9006, TYPE_DWORD, new byte[] {0, 0, 1, 0});
        attribute(LEVEL_MESSAGE, 0x8008, TYPE_WORD, ascii("IPM.Microsoft Mail.Note\0"));
    }

    /** An attachment with a title (its 8.3 name in old writers) and data. */
    TnefWriter attach(String title, byte[] data) {
        return attach(title, null, data);
    }

    /** An attachment with a title, a long file name (when not {@code null}) and data. */
    TnefWriter attach(String title, String longName, byte[] data) {
        // attRenderData: the attachment's position and rendering (14 bytes), attach type 1 = file
        attribute(LEVEL_ATTACHMENT, TNEFProperty.ID_ATTACHRENDERDATA.id, TYPE_BYTE,
                new byte[] {1, 0, -1, -1, -1, -1, 1, 0, 1, 0, 0, 0, 0, 0});
        attribute(LEVEL_ATTACHMENT, TNEFProperty.ID_ATTACHTITLE.id, TYPE_STRING, ascii(title + "\0"));
        attribute(LEVEL_ATTACHMENT, TNEFProperty.ID_ATTACHDATA.id, TYPE_BYTE, data);
        if (longName != null) {
            ByteArrayOutputStream props = new ByteArrayOutputStream();
            byte[] name = ascii(longName + "\0");
            write(props, 1, 4); // one property
            write(props, PT_STRING8, 2);
            write(props, ATTACH_LONG_FILENAME, 2);
            write(props, 1, 4); // one value
            write(props, name.length, 4);
            props.writeBytes(name);
            props.writeBytes(new byte[(4 - name.length % 4) % 4]);
            attribute(LEVEL_ATTACHMENT, TNEFProperty.ID_ATTACHMENT.id, TYPE_BYTE, props.toByteArray());
        }
        return this;
    }

    /** MAPI properties for the attachment last added, as they are (an {@code attAttachment} attribute's data). */
    TnefWriter properties(byte[] raw) {
        attribute(LEVEL_ATTACHMENT, TNEFProperty.ID_ATTACHMENT.id, TYPE_BYTE, raw);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    private void attribute(int level, int id, int type, byte[] data) {
        out.write(level);
        int16(id);
        int16(type);
        int32(data.length);
        out.writeBytes(data);
        int sum = 0;
        for (byte b : data) {
            sum += b & 0xff;
        }
        int16(sum & 0xffff); // the checksum: the data's bytes added up
    }

    private void int16(int v) {
        write(out, v, 2);
    }

    private void int32(int v) {
        write(out, v, 4);
    }

    private static void write(ByteArrayOutputStream to, int v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            to.write(v >>> (8 * i));
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
