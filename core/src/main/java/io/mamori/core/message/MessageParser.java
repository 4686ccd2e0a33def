package io.mamori.core.message;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.MimeIOException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.io.MaxHeaderLengthLimitException;
import org.apache.james.mime4j.io.MaxLineLimitException;
import org.apache.james.mime4j.stream.DefaultFieldBuilder;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RawField;
import org.apache.james.mime4j.stream.RecursionMode;
import org.apache.james.mime4j.util.ByteArrayBuffer;
import org.apache.james.mime4j.util.ByteSequence;

/**
 * Streaming MIME parser (Apache Mime4j's {@link MimeTokenStream}) that keeps only what analysis needs:
 * decoded top-level headers, a description of each leaf part, and capped decoded text of text/plain and
 * text/html parts. The decoded bytes of attachment parts go, up to {@link ParseLimits#maxAttachmentBytes()}
 * per message, to the message's {@link PartContents} (heap for small parts, encrypted temporary files for
 * large ones), so memory stays bounded however large the message; the caller closes the returned
 * {@link ParsedMessage} to release them. Malformed structure never throws:
 * it becomes a {@link MimeDefect}, and every {@link ParseLimits} bound turns into a defect plus "stop looking",
 * so time and memory stay bounded on hostile input. The input is always read to its end, because callers tee
 * it into the spool.
 *
 * <p>Thread-safe: one instance may parse many messages concurrently.
 */
public final class MessageParser {

    /** Enough to show what is wrong; a message with more distinct defects is broken anyway. */
    static final int MAX_DEFECTS = 100;
    /** Raw 8-bit top-level header bytes held until the message's charset is known; beyond this they are guessed. */
    private static final int MAX_PENDING_HEADER_BYTES = 256 * 1024;

    /**
     * Part contents an offline parser keeps on the heap per message ({@link #offline}); a message's attachments up to
     * this size in all are never written out.
     */
    public static final long OFFLINE_HEAP_PER_MESSAGE = 16L * 1024 * 1024;
    /** Part contents an offline parser keeps on the heap for all the messages it has open together. */
    public static final long OFFLINE_HEAP_IN_ALL = 64L * 1024 * 1024;

    private final ParseLimits limits;
    private final MimeConfig config;
    private final Path tempDirectory;
    /** The offline parser's budget shared by its messages, or null (the gateway's per-message limits only). */
    private final EncryptedSpool.HeapBudget offlineHeap;

    public MessageParser() {
        this(ParseLimits.defaults());
    }

    /** Puts large attachment contents (encrypted) in the JVM's temporary directory. */
    public MessageParser(ParseLimits limits) {
        this(limits, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * @param limits        parsing bounds
     * @param tempDirectory where attachment contents too large for the heap go, encrypted (e.g. the spool
     *                      directory)
     */
    public MessageParser(ParseLimits limits, Path tempDirectory) {
        this(limits, tempDirectory, null);
    }

    /**
     * A parser for the offline commands ({@code scan}, {@code eval}, {@code learn}), which read mail that is already
     * in files: a message's attachment contents stay on the heap up to {@value #OFFLINE_HEAP_PER_MESSAGE} bytes (the
     * gateway keeps 1 MiB, {@link PartContents#HEAP_PER_MESSAGE}), and all open messages' together up to
     * {@value #OFFLINE_HEAP_IN_ALL}, past which they go to encrypted temporary files as the gateway's do. Writing a
     * file that is on disk in clear anyway to an encrypted scratch file and decrypting it for each analyzer that
     * reads it cost about 3 to 5 % of {@code eval}'s CPU over the corpus (its C1-compiled code has no AES
     * instructions).
     * Messages must be closed for their share of the budget to come back.
     */
    public static MessageParser offline(ParseLimits limits) {
        return offline(limits, Path.of(System.getProperty("java.io.tmpdir")), OFFLINE_HEAP_IN_ALL);
    }

    /** An offline parser with another directory and budget in all (tests). */
    static MessageParser offline(ParseLimits limits, Path tempDirectory, long heapInAll) {
        return new MessageParser(limits, tempDirectory, new EncryptedSpool.HeapBudget(heapInAll));
    }

    private MessageParser(ParseLimits limits, Path tempDirectory, EncryptedSpool.HeapBudget offlineHeap) {
        this.limits = limits;
        this.tempDirectory = Objects.requireNonNull(tempDirectory, "tempDirectory");
        this.offlineHeap = offlineHeap;
        this.config = MimeConfig.custom()
                .setStrictParsing(false)
                // Mime4j applies the line limit while it reads header lines; body lines are streamed.
                .setMaxLineLen(limits.maxHeaderFieldLength())
                .setMaxHeaderLen(limits.maxHeaderFieldLength())
                // Counted here instead, so that parsing goes on past the limit rather than stopping.
                .setMaxHeaderCount(-1)
                .setMaxContentLen(-1)
                .setMalformedHeaderStartsBody(false)
                .build();
    }

    public ParseLimits limits() {
        return limits;
    }

    /**
     * Parses one message, reading {@code raw} to its end (it is not closed).
     *
     * @throws IOException only when reading {@code raw} itself, or writing an attachment's temporary file,
     *                     fails; malformed content never throws
     */
    public ParsedMessage parse(InputStream raw) throws IOException {
        PartContents contents = limits.maxAttachmentBytes() <= 0 ? PartContents.none()
                : offlineHeap != null ? PartContents.in(tempDirectory, OFFLINE_HEAP_PER_MESSAGE, offlineHeap)
                : PartContents.in(tempDirectory);
        try {
            return parse(raw, contents);
        } catch (IOException | RuntimeException | Error e) {
            contents.close();
            throw e;
        }
    }

    private ParsedMessage parse(InputStream raw, PartContents contents) throws IOException {
        LineScanningInputStream in = new LineScanningInputStream(raw);
        Walk walk = new Walk(limits, in, contents);
        // A null descriptor builder makes Mime4j use its own lenient one.
        MimeTokenStream tokens = new MimeTokenStream(config, walk.monitor,
                new EmptyHeaderTolerantFieldBuilder(limits.maxHeaderFieldLength()), null);
        tokens.parse(in);
        try {
            walk.consume(tokens);
        } catch (MimeIOException e) {
            if (StorageFailure.find(e) != null) {
                // the disk refused a part's content: not a malformation, and the parts would go unread
                throw StorageFailure.find(e);
            }
            walk.stopped(e.getCause() != null ? e.getCause() : e);
        } catch (MimeException e) {
            walk.stopped(e);
        } catch (RuntimeException e) {
            if (StorageFailure.find(e) != null) {
                throw StorageFailure.find(e);
            }
            // Mime4j signals some malformations (e.g. an over-long boundary) with runtime exceptions.
            walk.stopped(e);
        }
        in.drain();
        MimeDefect longLines = in.longLineDefect();
        if (longLines != null) {
            walk.defect(longLines);
        }
        return new ParsedMessage(walk.headers, walk.parts, walk.defects, walk.maxDepth, in.bytesRead(), contents,
                walk.headerEnded && !walk.headerFieldsDropped);
    }

    /** State of one parse; confined to the parsing thread. */
    private static final class Walk {
        private static final Pattern HTML_META_CHARSET =
                Pattern.compile("charset\\s*=\\s*[\"']?([A-Za-z0-9_.:\\-]+)", Pattern.CASE_INSENSITIVE);

        /**
         * Mime4j warnings about harmless variation: obsolete "Name : value" syntax (RFC 5322 section 4.5),
         * bare LF line ends (files on disk), and quoted-printable whitespace and soft-break sloppiness.
         */
        private static final List<String> BENIGN_WARNINGS = List.of(
                "Obsolete header", "Found LF without CR", "Found CR without LF", "ignored blanks",
                "soft line break");

        final ParseLimits limits;
        final LineScanningInputStream input;
        final PartContents contents;
        final List<HeaderField> headers = new ArrayList<>();
        final List<MimePart> parts = new ArrayList<>();
        final List<MimeDefect> defects = new ArrayList<>();
        final Set<String> defectKeys = new HashSet<>();
        final Deque<Entity> stack = new ArrayDeque<>();
        final DecodeMonitor monitor = new DefectMonitor(this);
        final List<PendingHeader> pendingHeaders = new ArrayList<>();
        long pendingHeaderBytes;
        int nesting;
        int maxDepth;
        int leaves;
        long textKept;
        long contentKept;
        boolean tooDeepRecorded;
        boolean mboxLineSeen;
        /** Whether the top-level header was read to its end. */
        boolean headerEnded;
        /** Whether top-level header fields past the limit were dropped. */
        boolean headerFieldsDropped;

        Walk(ParseLimits limits, LineScanningInputStream input, PartContents contents) {
            this.limits = limits;
            this.input = input;
            this.contents = contents;
        }

        void consume(MimeTokenStream tokens) throws IOException, MimeException {
            for (EntityState s = tokens.getState(); s != EntityState.T_END_OF_STREAM; s = tokens.next()) {
                switch (s) {
                    case T_START_MESSAGE -> startMessage();
                    case T_START_BODYPART -> startBodyPart();
                    case T_FIELD -> field(tokens.getField());
                    case T_END_HEADER -> endHeader(tokens);
                    case T_START_MULTIPART -> startMultipart();
                    case T_END_MULTIPART -> endMultipart();
                    case T_BODY -> body(tokens);
                    case T_END_BODYPART -> stack.pop();
                    case T_END_MESSAGE -> endMessage();
                    default -> {
                        // preamble, epilogue and raw entities: Mime4j skips their content on next()
                    }
                }
            }
        }

        private void startMessage() {
            if (stack.isEmpty()) {
                stack.push(new Entity(""));
            } else {
                // An embedded message/rfc822 is one more level of nesting at its body part's path.
                nesting++;
                maxDepth = Math.max(maxDepth, nesting);
                stack.push(new Entity(stack.peek().path));
            }
        }

        private void endMessage() {
            stack.pop();
            if (!stack.isEmpty()) {
                nesting--;
            }
        }

        private void startBodyPart() {
            Entity parent = stack.peek();
            parent.children++;
            String path = parent.path.isEmpty() ? Integer.toString(parent.children) : parent.path + "." + parent.children;
            stack.push(new Entity(path));
        }

        private void startMultipart() {
            nesting++;
            maxDepth = Math.max(maxDepth, nesting);
        }

        private void endMultipart() {
            nesting--;
            Entity e = stack.peek();
            if (e.children == 0) {
                defect(MimeDefect.Kind.MALFORMED, e.where() + ": multipart without body parts");
            }
        }

        private void field(Field field) {
            Entity e = stack.peek();
            e.headerCount++;
            if (e.headerCount > limits.maxHeaders()) {
                headerFieldsDropped |= stack.size() == 1;
                if (e.headerCount == limits.maxHeaders() + 1) {
                    defect(MimeDefect.Kind.HEADER_LIMIT, e.where() + ": more than "
                            + limits.maxHeaders() + " header fields; the rest were ignored");
                }
                return;
            }
            String name = field.getName();
            byte[] value = valueBytes(field);
            String lower = name.toLowerCase(Locale.ROOT);
            if (UNIQUE_MIME_FIELDS.contains(lower)) {
                String normalised = withoutBlanks(value);
                String first = e.firstMimeField.putIfAbsent(lower, normalised);
                if (first != null && !first.equals(normalised) && !e.conflictReported) {
                    // This parser takes the first; mail clients differ (some take the last), so a second, different
                    // value can show the reader something other than what was analysed
                    e.conflictReported = true;
                    defect(MimeDefect.Kind.MALFORMED, e.where() + ": " + name.strip() + " given twice with different values");
                }
            }
            if (lower.equals("content-type") && e.contentType == null) {
                e.contentType = MimeParameters.parse(value);
            } else if (lower.equals("content-disposition") && e.contentDisposition == null) {
                e.contentDisposition = MimeParameters.parse(value);
            } else if ((lower.equals("content-type") || lower.equals("content-disposition"))
                    && e.repeatedFields.size() < Entity.MAX_REPEATED_FIELDS) {
                // A client that takes the last field may show the name in this one
                e.repeatedFields.add(MimeParameters.parse(value));
            }
            if (stack.size() == 1) {
                if (MailCharsets.hasEightBit(value, 0, value.length) && pendingHeaderBytes + value.length <= MAX_PENDING_HEADER_BYTES) {
                    // Raw 8-bit header: decode it once the message's charset is known (end of header).
                    pendingHeaderBytes += value.length;
                    pendingHeaders.add(new PendingHeader(headers.size(), name, value));
                    headers.add(new HeaderField(name, ""));
                } else {
                    headers.add(headerField(name, value, null));
                }
            }
        }

        private void endHeader(MimeTokenStream tokens) {
            Entity e = stack.peek();
            if (stack.size() == 1) {
                decodePendingHeaders(e);
                headerEnded = true;
            }
            String declared = e.contentType == null ? "" : e.contentType.value();
            boolean multipart = declared.startsWith("multipart/");
            boolean hasBoundary = multipart && e.contentType.get("boundary").filter(b -> !b.isEmpty()).isPresent();
            if (multipart && !hasBoundary) {
                defect(MimeDefect.Kind.MALFORMED, e.where() + ": " + declared + " without boundary");
            }
            boolean container = hasBoundary || (declared.equals("message/rfc822") && stack.size() > 1);
            if (container && nesting + 1 > limits.maxDepth()) {
                tokens.setRecursionMode(RecursionMode.M_FLAT);
                e.flattened = true;
                maxDepth = Math.max(maxDepth, nesting + 1);
                if (!tooDeepRecorded) {
                    tooDeepRecorded = true;
                    defect(MimeDefect.Kind.TOO_DEEP, e.where() + ": nesting deeper than "
                            + limits.maxDepth() + "; deeper parts were not examined");
                }
            }
        }

        /** A top-level field, decoded; an address field keeps its value as written too (see {@link HeaderField}). */
        private static HeaderField headerField(String name, byte[] value, String hint) {
            String decoded = EncodedWords.decode(value, hint).strip();
            if (!HeaderField.addressField(name)) {
                return new HeaderField(name, decoded);
            }
            String asWritten = EncodedWords.undecoded(value, hint).strip();
            return new HeaderField(name, decoded, asWritten.equals(decoded) ? decoded : asWritten);
        }

        private void decodePendingHeaders(Entity root) {
            String hint = root.contentType == null ? null : root.contentType.get("charset").orElse(null);
            for (PendingHeader p : pendingHeaders) {
                headers.set(p.index(), headerField(p.name(), p.value(), hint));
            }
            pendingHeaders.clear();
        }

        private void body(MimeTokenStream tokens) throws IOException {
            Entity e = stack.peek();
            if (e.flattened) {
                tokens.setRecursionMode(RecursionMode.M_RECURSE);
            }
            leaves++;
            if (leaves > limits.maxParts()) {
                if (leaves == limits.maxParts() + 1) {
                    defect(MimeDefect.Kind.TOO_MANY_PARTS, "more than " + limits.maxParts()
                            + " body parts; later parts were not examined");
                }
                return;
            }
            String contentType = e.flattened && e.contentType != null
                    ? e.contentType.value()
                    : tokens.getBodyDescriptor().getMimeType().toLowerCase(Locale.ROOT);
            String charset = e.contentType == null ? null
                    : e.contentType.get("charset").map(c -> c.trim().toLowerCase(Locale.ROOT)).filter(c -> !c.isEmpty()).orElse(null);
            String filename = null;
            boolean dispositionAttachment = false;
            if (e.contentDisposition != null) {
                dispositionAttachment = e.contentDisposition.value().equals("attachment");
                filename = e.contentDisposition.get("filename").orElse(null);
            }
            if ((filename == null || filename.isBlank()) && e.contentType != null) {
                filename = e.contentType.get("name").orElse(null);
            }
            if (filename != null && filename.isBlank()) {
                filename = null;
            }
            List<String> otherNames = otherNames(e, filename);
            if (filename == null && !otherNames.isEmpty()) {
                filename = otherNames.get(0);
                otherNames = otherNames.subList(1, otherNames.size());
            }
            boolean text = contentType.equals("text/plain") || contentType.equals("text/html");
            boolean attachment = dispositionAttachment || (filename != null && !contentType.startsWith("text/"));

            long remainingTotal = Math.max(0, limits.maxTotalText() - textKept);
            int keep = text ? (int) Math.min(limits.maxTextPerPart(), remainingTotal) : 0;
            ByteArrayOutputStream kept = new ByteArrayOutputStream(Math.min(keep, 8192));
            // Files are what content analysis and the antivirus look at: attachments, and any part that is
            // not a readable body (an unnamed application/octet-stream part is a file too).
            EncryptedSpool.Sink sink = contents != PartContents.none() && (attachment || !text) ? contents.newSink() : null;
            long contentRoom = sink == null ? 0 : Math.max(0, limits.maxAttachmentBytes() - contentKept);
            long size = 0;
            byte[] buf = new byte[8192];
            InputStream in = tokens.getDecodedInputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                int room = keep - kept.size();
                if (room > 0) {
                    kept.write(buf, 0, Math.min(room, n));
                }
                if (size < contentRoom) {
                    sink.write(buf, 0, (int) Math.min(n, contentRoom - size));
                }
                size += n;
            }
            PartContent content = null;
            if (sink != null) {
                long stored = Math.min(size, contentRoom);
                contentKept += stored;
                content = new PartContent(sink.finish(), stored == size);
            }
            String decoded = null;
            if (text) {
                byte[] bytes = kept.toByteArray();
                textKept += bytes.length;
                String cs = charset;
                if (cs == null && contentType.equals("text/html")) {
                    cs = metaCharset(bytes);
                }
                decoded = MailCharsets.decode(bytes, cs);
            }
            parts.add(new MimePart(e.leafPath(), nesting, contentType, charset, filename, attachment, size, decoded,
                    content, !text || kept.size() == size, otherNames));
        }

        /**
         * The names of a part other than {@code primary}: clients differ in which parameter (Content-Disposition
         * {@code filename} or Content-Type {@code name}), which repetition and which field they take, and in how
         * they read broken RFC 2231 sections, so the reader may be shown any of these.
         */
        private static List<String> otherNames(Entity e, String primary) {
            Set<String> names = new LinkedHashSet<>();
            if (e.contentDisposition != null) {
                names.addAll(e.contentDisposition.all("filename"));
            }
            if (e.contentType != null) {
                names.addAll(e.contentType.all("name"));
            }
            for (MimeParameters field : e.repeatedFields) {
                names.addAll(field.all("filename"));
                names.addAll(field.all("name"));
            }
            names.removeIf(String::isBlank);
            if (primary != null) {
                names.remove(primary);
            }
            return List.copyOf(names);
        }

        private static String metaCharset(byte[] html) {
            String head = new String(html, 0, Math.min(html.length, 4096), StandardCharsets.ISO_8859_1);
            Matcher m = HTML_META_CHARSET.matcher(head);
            return m.find() ? m.group(1) : null;
        }

        void stopped(Throwable e) {
            if (!stack.isEmpty()) {
                decodePendingHeaders(stack.getLast());
            }
            String where = stack.isEmpty() ? "message" : stack.peek().where();
            if (e instanceof MaxHeaderLengthLimitException || e.getCause() instanceof MaxHeaderLengthLimitException) {
                defect(MimeDefect.Kind.HEADER_LIMIT, where + ": header field longer than "
                        + limits.maxHeaderFieldLength() + " bytes; the rest of the message was not examined");
            } else if (e instanceof MaxLineLimitException || e.getCause() instanceof MaxLineLimitException) {
                defect(MimeDefect.Kind.HEADER_LIMIT, where + ": header line longer than "
                        + limits.maxHeaderFieldLength() + " bytes; the rest of the message was not examined");
            } else {
                String reason = e.getMessage() == null ? e.getClass().getSimpleName() : shorten(e.getMessage());
                defect(MimeDefect.Kind.MALFORMED, where + ": parsing stopped (" + reason
                        + "); the rest of the message was not examined");
            }
        }

        void warning(String message) {
            if (BENIGN_WARNINGS.stream().anyMatch(message::contains)) {
                return;
            }
            Entity e = stack.peek();
            boolean atRoot = e == null || stack.size() == 1;
            if (message.contains("end of headers") && atRoot) {
                return; // a message that is only a header, with no empty line: allowed by RFC 5322 section 3.5
            }
            if (message.contains("Invalid header") && atRoot && e != null && e.headerCount == 0
                    && input.startsWithMboxFromLine() && !mboxLineSeen) {
                mboxLineSeen = true;
                return; // the mbox "From " line of a message saved from a mailbox, not part of the message
            }
            String where = e == null ? "message" : e.where();
            defect(MimeDefect.Kind.MALFORMED, where + ": " + describe(message));
        }

        /** Mime4j's warning texts in our words; one defect per kind of problem and part, not per bad byte. */
        private static String describe(String warning) {
            for (String[] known : KNOWN_WARNINGS) {
                if (warning.contains(known[0])) {
                    return known[1];
                }
            }
            return shorten(warning.split(":", 2)[0]);
        }

        private static final String[][] KNOWN_WARNINGS = {
            {"Body part ended prematurely", "multipart ended without its closing boundary"},
            {"end of headers", "header block cut off by a boundary or the end of the message"},
            {"Invalid header", "invalid header field (no name or no colon)"},
            {"Unexpected base64 byte", "invalid byte in base64 content"},
            {"end of BASE64 stream", "base64 content ends in the middle of a quantum"},
            {"padding character", "base64 padding in the middle of content"},
            {"Malformed encoded value", "invalid quoted-printable escape"},
            {"Unexpected ==", "invalid quoted-printable escape"},
        };

        void defect(MimeDefect.Kind kind, String detail) {
            defect(new MimeDefect(kind, detail));
        }

        void defect(MimeDefect d) {
            if (defects.size() < MAX_DEFECTS && defectKeys.add(d.kind() + "\u0000" + d.detail())) {
                defects.add(d);
            }
        }

        private static byte[] valueBytes(Field field) {
            ByteSequence raw = field.getRaw();
            if (raw == null) {
                String body = field.getBody() == null ? "" : field.getBody();
                return body.getBytes(StandardCharsets.ISO_8859_1);
            }
            byte[] bytes = raw.toByteArray();
            int colon = 0;
            while (colon < bytes.length && bytes[colon] != ':') {
                colon++;
            }
            int from = Math.min(colon + 1, bytes.length);
            byte[] value = new byte[bytes.length - from];
            System.arraycopy(bytes, from, value, 0, value.length);
            return value;
        }

        private static String shorten(String s) {
            String oneLine = s.replaceAll("[\\r\\n]+", " ").strip();
            return oneLine.length() <= 160 ? oneLine : oneLine.substring(0, 160) + "…";
        }
    }

    /** A top-level header with raw 8-bit bytes, waiting for the message's charset. */
    private record PendingHeader(int index, String name, byte[] value) {
    }

    /** A field value without blanks and line breaks, ASCII letters in lower case: for comparing two values. */
    private static String withoutBlanks(byte[] value) {
        StringBuilder b = new StringBuilder(value.length);
        for (byte x : value) {
            if (x != ' ' && x != '\t' && x != '\r' && x != '\n') {
                b.append(x >= 'A' && x <= 'Z' ? (char) (x + 32) : (char) (x & 0xff));
            }
        }
        return b.toString();
    }

    private static final Set<String> UNIQUE_MIME_FIELDS =
            Set.of("content-type", "content-transfer-encoding", "content-disposition");

    /** One message or body part on the way down the tree. */
    private static final class Entity {
        final String path;
        int headerCount;
        int children;
        boolean flattened;
        MimeParameters contentType;
        MimeParameters contentDisposition;
        /** Bounds the fields kept for their names; a real part has one of each. */
        static final int MAX_REPEATED_FIELDS = 8;
        /** The Content-Type and Content-Disposition fields after the first of each, kept for the names they give. */
        final List<MimeParameters> repeatedFields = new ArrayList<>(0);
        /** The first value of each MIME field that occurs at most once (RFC 2045 §3), normalised, by lower-case name. */
        final Map<String, String> firstMimeField = new HashMap<>(4);
        boolean conflictReported;

        Entity(String path) {
            this.path = path;
        }

        String leafPath() {
            return path.isEmpty() ? "1" : path;
        }

        /** Where a defect was met, for its detail: "message" for the top level, else "part 1.2". */
        String where() {
            return path.isEmpty() ? "message" : "part " + path;
        }
    }

    /**
     * Mime4j's field builder reports an empty header block (a body part that starts with its blank line, which
     * RFC 2046 section 5.1.1 allows and bounce messages use) as an invalid header; this one reports no field.
     */
    private static final class EmptyHeaderTolerantFieldBuilder extends DefaultFieldBuilder {
        private boolean empty = true;

        EmptyHeaderTolerantFieldBuilder(int maxHeaderLength) {
            super(maxHeaderLength);
        }

        @Override
        public void reset() {
            super.reset();
            empty = true;
        }

        @Override
        public void append(ByteArrayBuffer line) throws MaxHeaderLengthLimitException {
            super.append(line);
            if (line.length() > 0) {
                empty = false;
            }
        }

        @Override
        public RawField build() throws MimeException {
            return empty ? null : super.build();
        }
    }

    /** Records what Mime4j would otherwise log and ignore, and never asks it to throw. */
    private static final class DefectMonitor extends DecodeMonitor {
        private final Walk walk;

        DefectMonitor(Walk walk) {
            this.walk = walk;
        }

        @Override
        public boolean warn(String data, String dropDesc) {
            walk.warning(data == null ? "decoding problem" : data);
            return false;
        }

        @Override
        public boolean isListening() {
            return true;
        }
    }
}
