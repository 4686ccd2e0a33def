package io.mamori.core.attachment;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.poi.poifs.filesystem.DirectoryEntry;
import org.apache.poi.poifs.filesystem.POIFSFileSystem;

/**
 * A fixture writer for the tests: a minimal Outlook message file ([MS-OXMSG]) written with POI's POIFS, as HSMF reads
 * one: the message's {@code __properties_version1.0} stream (its 32-byte header with the attachment count; 24 bytes
 * for an attached message), a subject, and one storage per attachment, {@code __attach_version1.0_#0000000N}, holding
 * its properties stream (8-byte header, {@code PidTagAttachMethod}), its long file name
 * ({@code __substg1.0_3707001F}, UTF-16LE) and its data ({@code __substg1.0_37010102}), or, for an attached message,
 * the message as the storage {@code __substg1.0_3701000D}. There is no .msg among the shared samples; Outlook writes
 * the same streams.
 */
final class OutlookMessageWriter {

    private static final int PT_LONG = 0x0003;
    private static final int ATTACH_METHOD = 0x3705;
    private static final int BY_VALUE = 1;
    private static final int EMBEDDED_MESSAGE = 5;

    private record Attachment(String longName, byte[] data, OutlookMessageWriter message) {
    }

    private final String subject;
    private final List<Attachment> attachments = new ArrayList<>();

    OutlookMessageWriter(String subject) {
        this.subject = subject;
    }

    /** A file attached by value, with its long file name. */
    OutlookMessageWriter attach(String longName, byte[] data) {
        attachments.add(new Attachment(longName, data, null));
        return this;
    }

    /** A message attached as a message (Outlook's "attach item"). */
    OutlookMessageWriter attach(OutlookMessageWriter message) {
        attachments.add(new Attachment(null, null, message));
        return this;
    }

    byte[] bytes() throws IOException {
        try (POIFSFileSystem fs = new POIFSFileSystem()) {
            write(fs.getRoot(), true);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            fs.writeFilesystem(out);
            return out.toByteArray();
        }
    }

    private void write(DirectoryEntry dir, boolean topLevel) throws IOException {
        // [MS-OXMSG] 2.4.1: reserved (8), next recipient id, next attachment id, recipient count, attachment count
        // (4 each), and 8 more reserved bytes in a top-level message only
        ByteBuffer header = ByteBuffer.allocate(topLevel ? 32 : 24).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(0).putInt(0).putInt(attachments.size()).putInt(0).putInt(attachments.size());
        dir.createDocument("__properties_version1.0", new ByteArrayInputStream(header.array()));
        dir.createDocument("__substg1.0_0037001F", new ByteArrayInputStream(utf16(subject)));
        for (int i = 0; i < attachments.size(); i++) {
            Attachment a = attachments.get(i);
            DirectoryEntry storage = dir.createDirectory(String.format("__attach_version1.0_#%08X", i));
            ByteBuffer props = ByteBuffer.allocate(8 + 16).order(ByteOrder.LITTLE_ENDIAN);
            props.putLong(0); // reserved
            // a fixed-size property: its tag, flags (readable, writable), its value in 8 bytes
            props.putInt(ATTACH_METHOD << 16 | PT_LONG).putInt(6)
                    .putInt(a.message() != null ? EMBEDDED_MESSAGE : BY_VALUE).putInt(0);
            storage.createDocument("__properties_version1.0", new ByteArrayInputStream(props.array()));
            if (a.message() != null) {
                a.message().write(storage.createDirectory("__substg1.0_3701000D"), false);
            } else {
                storage.createDocument("__substg1.0_3707001F", new ByteArrayInputStream(utf16(a.longName())));
                storage.createDocument("__substg1.0_37010102", new ByteArrayInputStream(a.data()));
            }
        }
    }

    private static byte[] utf16(String s) {
        return s.getBytes(StandardCharsets.UTF_16LE);
    }
}
