package io.mamori.core.verdict;

import io.mamori.core.analysis.FindingCatalogue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.dom.Header;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.message.HeaderImpl;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;

/**
 * Carries out the transforms a verdict asks for, in one pass over the message: remove forged
 * {@code Authentication-Results} ({@link AuthResultsHeaders}), strip attachments ({@link AttachmentStripper}),
 * disarm (メール無害化, {@link Disarmer}) and tag ({@link TagRewriter}). The message is parsed once with Apache
 * Mime4j's DOM, transfer decoding off, into a {@link SpoolingBodyFactory} that keeps bodies over 256 KiB in
 * AES-encrypted temporary files (deleted when done); each transform edits the tree, rewritten text parts are
 * streamed, and the tree is written once. Every header field, part, boundary, preamble and epilogue that no
 * transform touched is written back byte for byte. Thread-safe: one instance may rewrite many messages
 * concurrently.
 *
 * <p>A plan that only removes forged {@code Authentication-Results} does not build the tree: the header block is
 * filtered and the body copied byte for byte ({@link AuthResultsHeaders#remove}), so a DKIM signature over the
 * body still verifies downstream.
 */
public final class MessageRewriter {

    /**
     * What to do to one message. Build it from {@link #NONE} with the {@code with…} methods.
     *
     * @param ownAuthservId remove {@code Authentication-Results} fields claiming this authserv-id; {@code null}
     *                      keeps them all
     * @param strip         attachments to replace by a notice, or {@code null}
     * @param disarm        how to disarm, or {@code null} for no disarm
     * @param tag           subject prefix and warning of a TAG verdict, or {@code null}
     */
    public record Plan(String ownAuthservId, Strip strip, Disarm disarm, Tag tag) {

        public static final Plan NONE = new Plan(null, null, null, null);

        public Plan removingAuthResultsOf(String authservId) {
            return new Plan(Objects.requireNonNull(authservId, "authservId"), strip, disarm, tag);
        }

        /** @param originalId queue id of the quarantined original, named in the notice; may be {@code null} */
        public Plan stripping(Set<String> partPaths, List<FindingCatalogue.Entry> reasons, String originalId) {
            return new Plan(ownAuthservId, new Strip(partPaths, reasons, originalId), disarm, tag);
        }

        public Plan disarming(boolean htmlToText, boolean defangLinks) {
            return new Plan(ownAuthservId, strip, new Disarm(htmlToText, defangLinks), tag);
        }

        public Plan tagging(String subjectPrefix, List<FindingCatalogue.Entry> reasons) {
            return new Plan(ownAuthservId, strip, disarm, new Tag(subjectPrefix, reasons));
        }

        /** Whether the plan changes anything at all. */
        public boolean isEmpty() {
            return ownAuthservId == null && strip == null && disarm == null && tag == null;
        }
    }

    /**
     * @param partPaths  parts to remove, by {@link io.mamori.core.message.MimePart#path()}
     * @param reasons    why, for the notice
     * @param originalId queue id of the quarantined original, or {@code null}
     */
    public record Strip(Set<String> partPaths, List<FindingCatalogue.Entry> reasons, String originalId) {
        public Strip {
            partPaths = Set.copyOf(partPaths);
            reasons = List.copyOf(reasons);
        }
    }

    /**
     * @param htmlToText  HTML body parts become text/plain
     * @param defangLinks links become visible, non-clickable text
     */
    public record Disarm(boolean htmlToText, boolean defangLinks) {
    }

    public record Tag(String subjectPrefix, List<FindingCatalogue.Entry> reasons) {
        public Tag {
            Objects.requireNonNull(subjectPrefix, "subjectPrefix");
            reasons = List.copyOf(reasons);
        }
    }

    /**
     * What was done.
     *
     * @param authResultsRemoved {@code Authentication-Results} fields removed
     * @param removed            attachments replaced by a notice, in document order
     * @param partsDisarmed      body parts rewritten by disarm
     */
    public record Result(int authResultsRemoved, List<AttachmentStripper.Removed> removed, int partsDisarmed) {
        public Result {
            removed = List.copyOf(removed);
        }
    }

    private final Path tempDirectory;

    /** Spills big bodies to the JVM's temporary directory. */
    public MessageRewriter() {
        this(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Spills big bodies (encrypted) to {@code tempDirectory}, e.g. the gateway's spool directory. */
    public MessageRewriter(Path tempDirectory) {
        this.tempDirectory = Objects.requireNonNull(tempDirectory, "tempDirectory");
    }

    /**
     * Writes {@code raw} to {@code out} transformed as {@code plan} says.
     *
     * @throws IOException when reading or writing fails, or the message cannot be rewritten (e.g. a header line
     *                     over 1 MiB); then {@code out} may hold a partial message and the caller must fall back
     *                     (e.g. quarantine the original)
     */
    public Result rewrite(InputStream raw, OutputStream out, Plan plan) throws IOException {
        Objects.requireNonNull(plan, "plan");
        if (plan.strip() == null && plan.disarm() == null && plan.tag() == null) {
            int removed = plan.ownAuthservId() == null ? 0 : AuthResultsHeaders.remove(raw, out, plan.ownAuthservId());
            if (plan.ownAuthservId() == null) {
                raw.transferTo(out);
                out.flush();
            }
            return new Result(removed, List.of(), 0);
        }
        try (SpoolingBodyFactory bodies = new SpoolingBodyFactory(tempDirectory)) {
            Message message = parse(raw, bodies);
            try {
                int authResults = plan.ownAuthservId() == null ? 0 : removeAuthResults(message, plan.ownAuthservId());
                List<AttachmentStripper.Removed> removed = plan.strip() == null ? List.of()
                        : AttachmentStripper.apply(message, plan.strip().partPaths(), plan.strip().reasons(),
                                plan.strip().originalId(), bodies);
                int disarmed = 0;
                if (plan.disarm() != null) {
                    TagRewriter.Banner banner = null;
                    if (plan.tag() != null) {
                        TagRewriter.prefixSubject(message.getHeader(), plan.tag().subjectPrefix());
                        banner = new TagRewriter.Banner(plan.tag().reasons());
                    }
                    boolean noTextPart = TagRewriter.findTargets(message, true).isEmpty();
                    disarmed = Disarmer.apply(message, plan.disarm(), banner, bodies);
                    if (banner != null && noTextPart) {
                        TagRewriter.addBannerPart(message, banner.plain(), bodies);
                    }
                } else if (plan.tag() != null) {
                    TagRewriter.apply(message, plan.tag().subjectPrefix(), plan.tag().reasons(), bodies);
                }
                new TagRewriter.RawPreservingWriter().writeMessage(message, out);
                out.flush();
                return new Result(authResults, removed, disarmed);
            } finally {
                message.dispose();
            }
        }
    }

    /**
     * Writes {@code raw} to {@code out} with its 8-bit bodies re-encoded in 7 bit ({@link SevenBitBodies}), for a host
     * that does not offer 8BITMIME. Everything else is written back byte for byte (but a header line that is no field,
     * which the parse drops); a message without any 8-bit byte (NUL counts) comes out unchanged.
     *
     * @return how many bodies were re-encoded
     * @throws IOException when reading or writing fails or the message cannot be parsed (e.g. a line over 1 MiB);
     *                     then {@code out} may hold a partial message
     */
    public int toSevenBit(InputStream raw, OutputStream out) throws IOException {
        try (SpoolingBodyFactory bodies = new SpoolingBodyFactory(tempDirectory)) {
            // Held first, and sent as it is when it has no 8-bit byte: Mime4j's tree drops what it cannot read as a
            // header field (a line without a colon), and a message that needs no conversion must not lose anything
            org.apache.james.mime4j.dom.SingleBody held;
            boolean eightBit = false;
            try (SpoolingBodyFactory.Sink sink = bodies.newSink(); OutputStream copy = sink.shielded()) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = raw.read(buffer)) >= 0; ) {
                    for (int i = 0; i < n && !eightBit; i++) {
                        eightBit = buffer[i] <= 0;
                    }
                    copy.write(buffer, 0, n);
                }
                copy.flush();
                held = sink.toBody();
            }
            if (!eightBit) {
                held.writeTo(out);
                out.flush();
                return 0;
            }
            Message message;
            try (InputStream in = held.getInputStream()) {
                message = parse(in, bodies);
            }
            try {
                int converted = SevenBitBodies.convert(message, bodies);
                new TagRewriter.RawPreservingWriter().writeMessage(message, out);
                out.flush();
                return converted;
            } finally {
                message.dispose();
            }
        }
    }

    static Message parse(InputStream raw, SpoolingBodyFactory bodies) throws IOException {
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.custom()
                .setMaxLineLen(1024 * 1024)
                .setMaxHeaderLen(1024 * 1024)
                .setMaxHeaderCount(-1)
                .setMaxContentLen(-1)
                .build());
        builder.setDecodeMonitor(DecodeMonitor.SILENT);
        builder.setContentDecoding(false);
        builder.setBodyFactory(bodies);
        return builder.parseMessage(raw);
    }

    /** RFC 8601 §5: drops the top-level fields that claim our authserv-id; every other field keeps its place and bytes. */
    private static int removeAuthResults(Message message, String authservId) {
        Header header = message.getHeader();
        List<Field> kept = new ArrayList<>();
        int removed = 0;
        for (Field f : header.getFields()) {
            if (f.getName().strip().equalsIgnoreCase("Authentication-Results")
                    && AuthResultsHeaders.claims(f.getBody() == null ? "" : f.getBody(), authservId)
                    || AuthResultsHeaders.isOwnField(f.getName())) {
                removed++;
            } else {
                kept.add(f);
            }
        }
        if (removed > 0) {
            Header rebuilt = new HeaderImpl();
            kept.forEach(rebuilt::addField);
            message.setHeader(rebuilt);
        }
        return removed;
    }
}
