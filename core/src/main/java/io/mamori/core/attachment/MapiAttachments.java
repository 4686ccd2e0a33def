package io.mamori.core.attachment;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.poi.hmef.HMEFMessage;
import org.apache.poi.hmef.attribute.MAPIAttribute;
import org.apache.poi.hmef.attribute.MAPIStringAttribute;
import org.apache.poi.hmef.attribute.TNEFAttribute;
import org.apache.poi.hmef.attribute.TNEFMAPIAttribute;
import org.apache.poi.hmef.attribute.TNEFProperty;
import org.apache.poi.hmef.attribute.TNEFStringAttribute;
import org.apache.poi.hsmf.MAPIMessage;
import org.apache.poi.hsmf.datatypes.AttachmentChunks;
import org.apache.poi.hsmf.datatypes.MAPIProperty;
import org.apache.poi.hsmf.datatypes.StringChunk;
import org.apache.poi.poifs.filesystem.DirectoryNode;
import org.apache.poi.poifs.filesystem.Entry;

/**
 * The files attached to the two containers Outlook and Exchange wrap attachments in: a TNEF stream
 * ({@code winmail.dat}, {@code application/ms-tnef}, [MS-OXTNEF]) and an Outlook message file ({@code .msg},
 * [MS-OXMSG]), read with Apache POI's HMEF and HSMF. A mail client that understands them (Outlook above all) shows
 * their attachments as the message's own: a program inside one is a program attached.
 * Each attachment comes with every file name it has (the long name, the 8.3 name, the title), for the name checks,
 * and its content, for the inspection of a file inside an archive. Stateless but for one {@link Tnef} reader per
 * stream.
 */
final class MapiAttachments {

    /** An Outlook message's root holds its properties in this stream ([MS-OXMSG] 2.4). */
    private static final String PROPERTIES = "__properties_version1.0";
    /** ... and each property of variable length in a stream named {@code __substg1.0_<tag>} ([MS-OXMSG] 2.1.3). */
    private static final String PROPERTY_STREAM = "__substg1.0_";
    /**
     * The most bytes of an attachment's MAPI properties (its {@code attAttachment} attribute) handed to POI: it makes
     * objects of tens of bytes of each 4-byte value, so that a crafted attribute of many small values would take many
     * times its size in memory. Real ones hold a few dozen properties and, for an attachment carried as a property
     * ({@code PR_ATTACH_DATA_OBJ}), its data, which POI takes up to 1,000,000 bytes.
     */
    static final int MAX_PROPERTIES_BYTES = 2 * 1024 * 1024;
    /** {@code PidTagAttachDataBinary} and {@code PidTagAttachDataObject} share this id; an object comes after its IID. */
    private static final int OBJECT = 0x000D;
    private static final int IID_BYTES = 16;

    private MapiAttachments() {
    }

    /**
     * One attached file.
     *
     * @param names      its file names, the one a mail client shows first (long name, then short name, then title),
     *                   without blanks and repeats; empty when it has none
     * @param contents   its content, in each form the container gives it (usually one; a TNEF attachment may carry
     *                   the data attribute and the data property both), without repeats
     * @param unreadable why some of its properties could not be read (a name or its content may be missing then), or
     *                   {@code null}
     */
    record Attached(List<String> names, List<byte[]> contents, String unreadable) {
    }

    /** Whether an OLE2 file's root is that of an Outlook message: its property streams ([MS-OXMSG] 2.1). */
    static boolean isMessage(DirectoryNode root) {
        if (root.hasEntry(PROPERTIES)) {
            return true;
        }
        int seen = 0;
        for (Entry e : root) {
            if (e.getName().startsWith(PROPERTY_STREAM)) {
                return true;
            }
            if (++seen > 1000) {
                return false;
            }
        }
        return false;
    }

    /**
     * An attached file of an Outlook message, by value: its content; or an attached message ({@code afEmbeddedMessage}),
     * as the storage that holds it, to be walked as a nested container.
     */
    record MessageFile(List<String> names, byte[] content, DirectoryNode message) {
    }

    /**
     * The attached files of an Outlook message, in its order, and how many of its attachment storages HSMF, which
     * logs what it cannot read and goes on, did not give back.
     */
    record MessageFiles(List<MessageFile> files, int unread) {
    }

    /**
     * The attachments of the Outlook message whose storage is {@code message} (the root of a .msg file, or an attached
     * message's storage), read by HSMF: by value ({@code __substg1.0_37010102}) as content, attached messages
     * ({@code __substg1.0_3701000D} storages with a message's property streams) as messages; an OLE object (a storage
     * that is no message) as neither, being the compound file's embedded object.
     */
    static MessageFiles files(DirectoryNode message) throws IOException {
        int storages = 0;
        int seen = 0;
        for (Entry e : message) {
            if (e instanceof DirectoryNode && e.getName().startsWith(AttachmentChunks.PREFIX)) {
                storages++;
            }
            if (++seen > 100_000) {
                break;
            }
        }
        List<MessageFile> files = new ArrayList<>();
        for (AttachmentChunks a : new MAPIMessage(message).getAttachmentFiles()) {
            List<String> names = new ArrayList<>();
            for (StringChunk name : Arrays.asList(a.getAttachLongFileName(), a.getAttachFileName())) {
                add(names, name == null ? null : name.getValue());
            }
            if (a.isEmbeddedMessage() && isMessage(a.getAttachmentDirectory().getDirectory())) {
                files.add(new MessageFile(List.copyOf(names), null, a.getAttachmentDirectory().getDirectory()));
            } else {
                byte[] data = a.getAttachData() == null ? null : a.getAttachData().getValue();
                files.add(new MessageFile(List.copyOf(names), data, null));
            }
        }
        return new MessageFiles(files, Math.max(0, storages - files.size()));
    }

    private static void add(List<String> names, String name) {
        if (name != null && !name.isBlank() && !names.contains(name)) {
            names.add(name);
        }
    }

    /**
     * Reads a TNEF stream's attachments one at a time, with POI's HMEF attribute reader: {@link HMEFMessage} reads
     * a stream whole or not at all, so that one damaged after its first attachments (MimeKit's {@code panic.tnef})
     * would hide those too, where this gives them and then says what is damaged ({@link #damage}), as the readers of
     * other archives do. The attributes of the message itself (its body, recipients) are passed over unread: only the
     * attachments are wanted. Not thread-safe.
     */
    static final class Tnef {
        private final ByteArrayInputStream in;
        private final int maxFiles;
        private int files;
        private String damage;
        private boolean ended;
        /** The first attribute of the next attachment, read while the last one was being completed. */
        private TNEFAttribute pending;
        private String pendingUnreadable;

        /**
         * @param bytes    the stream, from its signature
         * @param maxFiles the most attachments read; the one after ends the reading (the caller's entry limit)
         */
        Tnef(byte[] bytes, int maxFiles) {
            this.in = new ByteArrayInputStream(bytes);
            this.maxFiles = maxFiles;
            if (bytes.length < 6 || (bytes[0] & 0xff | (bytes[1] & 0xff) << 8 | (bytes[2] & 0xff) << 16
                    | (bytes[3] & 0xff) << 24) != HMEFMessage.HEADER_SIGNATURE) {
                damage = "no TNEF signature";
                ended = true;
            } else {
                in.skip(6); // the signature and the legacy key
            }
        }

        /** Why the stream could not be read to its end, or {@code null}. */
        String damage() {
            return damage;
        }

        /** The next attachment, or {@code null} at the end of the stream or of what could be read of it. */
        Attached next() {
            if (files >= maxFiles + 1) {
                return null;
            }
            List<TNEFAttribute> attributes = new ArrayList<>();
            String unreadable = pendingUnreadable;
            if (pending != null) {
                attributes.add(pending);
                pending = null;
            }
            pendingUnreadable = null;
            boolean started = !attributes.isEmpty() || unreadable != null;
            long propertyBytes = 0;
            while (!ended) {
                int level = in.read();
                if (level == TNEFProperty.LEVEL_END_OF_FILE) {
                    ended = true;
                    break;
                }
                if (level == '\r' || level == '\n') {
                    continue; // a line break after the stream, as HMEF allows
                }
                if (level != TNEFProperty.LEVEL_MESSAGE && level != TNEFProperty.LEVEL_ATTACHMENT) {
                    stop("unknown attribute level " + level);
                    break;
                }
                in.mark(0);
                if (in.available() < 8) {
                    stop("cut short");
                    break;
                }
                int id = uint16();
                uint16(); // the type
                long length = uint32();
                if (length + 2 > in.available()) {
                    stop("attribute longer than the stream");
                    break;
                }
                if (level == TNEFProperty.LEVEL_MESSAGE) {
                    in.skip(length + 2); // the message's own attribute and its checksum: not an attachment
                    continue;
                }
                // attAttachRenderData begins each attachment (HMEF does the same)
                boolean starts = id == TNEFProperty.ID_ATTACHRENDERDATA.id;
                TNEFAttribute attribute = null;
                String failed = null;
                boolean properties = id == TNEFProperty.ID_ATTACHMENT.id;
                if (properties && propertyBytes + length > MAX_PROPERTIES_BYTES) {
                    failed = "properties larger than " + MAX_PROPERTIES_BYTES / (1024 * 1024) + " MiB, not read";
                    in.skip(length + 2);
                } else {
                    if (properties) {
                        propertyBytes += length;
                    }
                    in.reset();
                    try {
                        attribute = TNEFAttribute.create(in);
                    } catch (IOException | RuntimeException e) {
                        // the header said how long it is: the next attribute is read after it
                        failed = (properties ? "properties" : "attribute " + id) + " unreadable ("
                                + e.getClass().getSimpleName() + ")";
                        in.reset();
                        in.skip(8 + length + 2);
                    }
                }
                if (starts && started) {
                    pending = attribute;
                    pendingUnreadable = failed;
                    return attached(attributes, unreadable);
                }
                started = true;
                if (attribute != null) {
                    attributes.add(attribute);
                }
                if (failed != null && unreadable == null) {
                    unreadable = failed;
                }
            }
            return started ? attached(attributes, unreadable) : null;
        }

        private Attached attached(List<TNEFAttribute> attributes, String unreadable) {
            files++;
            String title = null;
            byte[] data = null;
            List<MAPIAttribute> properties = new ArrayList<>();
            for (TNEFAttribute a : attributes) {
                if (a.getProperty() == TNEFProperty.ID_ATTACHTITLE) {
                    title = TNEFStringAttribute.getAsString(a);
                } else if (a.getProperty() == TNEFProperty.ID_ATTACHDATA) {
                    data = a.getData();
                } else if (a instanceof TNEFMAPIAttribute mapi) {
                    properties.addAll(mapi.getMAPIAttributes());
                }
            }
            List<String> names = new ArrayList<>();
            add(names, string(properties, MAPIProperty.ATTACH_LONG_FILENAME));
            add(names, string(properties, MAPIProperty.ATTACH_FILENAME));
            add(names, title);
            List<byte[]> contents = new ArrayList<>();
            if (data != null) {
                contents.add(data);
            }
            for (MAPIAttribute p : properties) {
                if (p.getProperty().id != MAPIProperty.ATTACH_DATA.id) {
                    continue;
                }
                byte[] raw = p.getData();
                // an embedded message (a TNEF stream of its own) or an OLE object (a compound file) comes after its IID
                byte[] value = p.getType() != OBJECT ? raw
                        : raw.length > IID_BYTES ? Arrays.copyOfRange(raw, IID_BYTES, raw.length) : null;
                if (value != null && contents.stream().noneMatch(c -> Arrays.equals(c, value))) {
                    contents.add(value);
                }
            }
            return new Attached(List.copyOf(names), List.copyOf(contents), unreadable);
        }

        private static String string(List<MAPIAttribute> properties, MAPIProperty property) {
            for (MAPIAttribute p : properties) {
                if (p.getProperty().id == property.id && p instanceof MAPIStringAttribute) {
                    return MAPIStringAttribute.getAsString(p);
                }
            }
            return null;
        }

        private void stop(String why) {
            damage = why;
            ended = true;
        }

        private int uint16() {
            return in.read() | in.read() << 8;
        }

        private long uint32() {
            return (uint16() | (long) uint16() << 16) & 0xffffffffL;
        }
    }
}
