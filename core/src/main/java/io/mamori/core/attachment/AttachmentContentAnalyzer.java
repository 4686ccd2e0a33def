package io.mamori.core.attachment;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.MessageMemo;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import io.mamori.core.message.PartContent;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.HashMap;
import java.util.Objects;
import java.util.Set;

/**
 * Looks inside every kept part content ({@link MimePart#content()}) for what a file's name does not tell:
 * <ul>
 * <li>{@code ATTACHMENT_TYPE_MISMATCH}: the content (Apache Tika's magic detection and our signatures)
 *     contradicts the name or declared type, e.g. {@code invoice.pdf: named .pdf, content is text/html};</li>
 * <li>{@code ATTACHMENT_EXECUTABLE_CONTENT}: a program, script, shortcut, disk image, installer or OneNote
 *     file by its content, e.g. {@code invoice.zip!/scan.pdf: Windows executable (PE)};</li>
 * <li>{@code OFFICE_MACRO}: a VBA project in OLE2 (Apache POI) or OOXML ({@code vbaProject.bin}), or an
 *     Excel 4 macro sheet; {@code OFFICE_REMOTE_CONTENT}: an Office Open XML document that loads a template, OLE
 *     object, frame or sub-document from a network address when opened (template injection,
 *     {@link OfficeRelationships}), or an RTF file whose template is there ({@link RtfTemplate});
 *     {@code OFFICE_DDE}: a Word DDE field, an Excel DDE link or a DDE formula in a CSV file, which starts a program
 *     ({@link OfficeFields}); {@code OFFICE_EQUATION_EDITOR}: an object for Equation Editor 3.0, the CVE-2017-11882
 *     exploits' carrier, in a compound file or an RTF file ({@link RtfObjects}); {@code RTF_DISGUISED}: RTF under a
 *     Word extension;</li>
 * <li>files embedded in documents (OLE Package objects, embedded documents, RTF objects) inspected as files inside
 *     them, with the name checks (evidence {@code 請求書.doc!/calc.lnk});</li>
 * <li>archives (zip, 7z, gzip, tar, RAR; compressed RAR entries unpacked by libarchive, {@link RarUnpacker}) opened
 *     recursively within
 *     {@link ArchiveLimits}, with the name checks of {@link AttachmentNameAnalyzer} and all of the above
 *     applied to their entries (evidence {@code invoice.zip!/a/b.exe}); {@code ARCHIVE_BOMB} and
 *     {@code ARCHIVE_TOO_DEEP} when a limit is passed; so are the attachments of a TNEF stream (winmail.dat) and of an
 *     attached Outlook message (.msg), each of their names judged ({@code winmail.dat!/invoice.exe},
 *     {@code 転送.msg!/attached message 1!/invoice.exe}; {@link MapiAttachments});</li>
 * <li>{@code ENCRYPTED_ARCHIVE}: a password-protected zip, 7z or RAR, Office file or PDF (a PDF that opens
 *     without a password is not one), which no scanner can look into;</li>
 * <li>{@code ENCRYPTED_ARCHIVE_OPENED} instead, for an encrypted zip or 7z attachment or Office document that a password the
 *     message gives ({@link ArchivePasswords}: {@code ARCHIVE_PASSWORD_IN_MESSAGE}) or a separate password mail gave
 *     ({@link io.mamori.core.analysis.AnalysisInput#separatePasswords()}: {@code ARCHIVE_PASSWORD_SENT_SEPARATELY}), or
 *     an analyst gave ({@code ARCHIVE_PASSWORD_FROM_ANALYST})
 *     opened: its content was inspected like an unencrypted one's;</li>
 * <li>{@code ATTACHMENT_NOT_INSPECTED}: a file larger than the message's content budget, a damaged archive,
 *     compressed RAR content that could not be unpacked, an unsupported compression method, a damaged TNEF stream or
 *     Outlook message, a file named or sent as TNEF that is none.</li>
 * </ul>
 * Work per message is bounded by the limits; the analyzer stops as soon as the calling thread is interrupted
 * (the pipeline's time budget). With the default limits, a message is inspected once, and the HTML pages inside its
 * archives are examined on the way for {@link HtmlAttachmentAnalyzer} ({@link #inspected}): its archives are
 * decompressed once for both. Thread-safe.
 */
public final class AttachmentContentAnalyzer implements Analyzer {

    private final ArchiveLimits limits;
    /** The unpacker of compressed RAR archives; {@code null} for the system's ({@link RarUnpacker#system()}). */
    private final RarUnpacker unpacker;

    public AttachmentContentAnalyzer() {
        this(ArchiveLimits.defaults());
    }

    public AttachmentContentAnalyzer(ArchiveLimits limits) {
        this(limits, null);
    }

    /** With its own unpacker of compressed RAR archives ({@link RarUnpacker#NONE}: none): for tests. */
    AttachmentContentAnalyzer(ArchiveLimits limits, RarUnpacker unpacker) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.unpacker = unpacker;
    }

    @Override
    public String name() {
        return "attachment-content";
    }

    @Override
    public Set<String> codes() {
        return Set.of(ContentInspection.TYPE_MISMATCH, ContentInspection.EXECUTABLE_CONTENT,
                ContentInspection.OFFICE_MACRO, ContentInspection.REMOTE_CONTENT, ContentInspection.DDE,
                ContentInspection.RTF_DISGUISED,
                ContentInspection.ARCHIVE_BOMB,
                ContentInspection.ARCHIVE_TOO_DEEP, ContentInspection.ENCRYPTED, ContentInspection.NOT_INSPECTED,
                ContentInspection.PASSWORD_IN_MESSAGE, ContentInspection.OPENED, ContentInspection.PASSWORD_SENT_SEPARATELY,
                ContentInspection.PASSWORD_FROM_ANALYST,
                AttachmentNameAnalyzer.EXECUTABLE, AttachmentNameAnalyzer.DOUBLE_EXTENSION, AttachmentNameAnalyzer.RTLO);
    }

    /**
     * The paths ({@link MimePart#path()}) of the attachments that findings with one of {@code codes} are about,
     * e.g. every part an {@code ENCRYPTED_ARCHIVE} finding names, for {@code AttachmentStripper}. Matches the
     * evidence this analyzer writes: evidence ending {@code (part 2)} names exactly that part; otherwise the
     * attachment's name, or any of its other names ({@link MimePart#otherNames()}), or {@code part 1.2}, alone or
     * followed by {@code !/} (something inside it) or {@code : } (a detail), names every part shown by that name.
     */
    public static Set<String> partsNamedBy(ParsedMessage message, List<Finding> findings, Set<String> codes) {
        Set<String> paths = new LinkedHashSet<>();
        for (MimePart part : message.parts()) {
            String located = " (part " + part.path() + ")";
            // the name analyzer's evidence may give any of the part's names, not only the one shown
            List<String> shownNames = new ArrayList<>(List.of(displayedName(part)));
            part.otherNames().stream().filter(n -> !n.isBlank()).map(AttachmentNameAnalyzer::displayed)
                    .forEach(shownNames::add);
            for (Finding f : findings) {
                if (!codes.contains(f.code())) {
                    continue;
                }
                String e = f.evidence();
                for (String shown : shownNames) {
                    boolean names = e.endsWith(")") && e.contains(" (part ")
                            ? e.endsWith(located) && (e.equals(shown + located) || e.startsWith(shown + "!/"))
                            : e.equals(shown) || e.startsWith(shown + "!/") || e.startsWith(shown + ": ");
                    if (names) {
                        paths.add(part.path());
                    }
                }
            }
        }
        return paths;
    }

    private static String displayedName(MimePart part) {
        return part.filename() == null || part.filename().isBlank()
                ? "part " + part.path() : AttachmentNameAnalyzer.displayed(part.filename());
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) throws InterruptedException {
        if (limits.equals(ArchiveLimits.defaults()) && unpacker == null) {
            return inspected(input).findings();
        }
        return inspect(input, limits, unpacker, null).findings();
    }

    /**
     * Whether a walk through the message's archives for RAR archives inside them ({@link ArchiveContents.Type#RAR})
     * may find any: {@code false} only when the inspection (made once per message) read every archive to its end and
     * met no RAR archive inside one.
     *
     * @throws InterruptedException when the calling thread was interrupted (the pipeline's time budget ran out)
     */
    public static boolean rarsInArchives(AnalysisInput input) throws InterruptedException {
        Inspected inspected = inspected(input);
        return mayFind(inspected, inspected.rarInside());
    }

    /** Whether a walk may find what the inspection {@code met}, or what it did not read to the end (cut or a bomb). */
    private static boolean mayFind(Inspected inspected, boolean met) {
        return met || Thread.currentThread().isInterrupted()
                || inspected.findings().stream().anyMatch(f -> f.code().equals(ContentInspection.ARCHIVE_BOMB));
    }

    /**
     * Whether a walk through the message's archives for files of Zstandard zip entries
     * ({@link ArchiveContents.Type#ZSTD_FILE}) may find any: {@code false} only when the inspection (made once per
     * message) read every archive to its end and met no such entry.
     *
     * @throws InterruptedException when the calling thread was interrupted (the pipeline's time budget ran out)
     */
    public static boolean zstdInArchives(AnalysisInput input) throws InterruptedException {
        Inspected inspected = inspected(input);
        return mayFind(inspected, inspected.zstdInside());
    }

    /**
     * How to have the content of this encrypted zip or 7z attachment or Office document, which a password the message
     * gives ({@link ArchivePasswords}) opened in the message's inspection (made once), or Excel's default password
     * ({@link OleInspection#DEFAULT_PASSWORD}, which Office opens without asking) did: the decrypted content the
     * inspection kept, or that password, with which it opens again without every candidate being tried; empty when
     * none opened it.
     *
     * @throws InterruptedException when the calling thread was interrupted (the pipeline's time budget ran out)
     */
    public static Optional<ArchivePasswords.Opener> openerOf(AnalysisInput input, MimePart part)
            throws InterruptedException {
        return Optional.ofNullable(inspected(input).opened().get(part.path()));
    }

    /**
     * What the inspection of a message found: its findings, and the HTML pages inside its archives, examined for
     * {@link HtmlAttachmentAnalyzer} on the way, in the order of the walk.
     */
    record Inspected(List<Finding> findings, List<HtmlAttachmentAnalyzer.Page> pages, boolean linkSourcesInside,
            boolean rarInside, boolean zstdInside, Map<String, ArchivePasswords.Opener> opened) {
    }

    /**
     * Whether a walk through the message's archives and Office documents for PDFs, pictures and documents' links
     * ({@link ArchiveContents}) may find any: {@code false} only when the inspection (made once per message,
     * {@link #inspected}) read every archive and document to its end (no {@code ARCHIVE_BOMB}, no document cut short by
     * its budgets) and met no PDF or picture inside an archive and no picture part or external hyperlink in a document,
     * attached or archived.
     * A walk reads archives as the inspection does, within the same limits, and covers no archive or document the
     * inspection does not, so it would find nothing: the link analyzer need not open them a second time.
     *
     * @throws InterruptedException when the calling thread was interrupted (the pipeline's time budget ran out)
     */
    public static boolean linkSourcesInArchives(AnalysisInput input) throws InterruptedException {
        Inspected inspected = inspected(input);
        return inspected.linkSourcesInside() || Thread.currentThread().isInterrupted()
                || inspected.findings().stream().anyMatch(f -> f.code().equals(ContentInspection.ARCHIVE_BOMB));
    }

    /**
     * The inspection of the message with the default limits, in the message's memo: it holds the findings and the
     * pages' evidence, and of the parts' bytes only what passwords decrypted, at most
     * {@value ContentInspection#MAX_KEPT_BYTES} bytes a message ({@link #openerOf}). An inspection cut short by the
     * analysis budget is not kept.
     */
    static final MessageMemo.Key<Inspected> INSPECTED = MessageMemo.Key.of("attachment inspection");

    /**
     * The inspection of the message with the default limits, made once and shared by this analyzer and
     * {@link HtmlAttachmentAnalyzer}, which run in parallel: the first to ask walks the message's archives, the other
     * waits for its answer. Its archives are decompressed once for both instead of once each.
     *
     * @throws InterruptedException when the calling thread was interrupted (the pipeline's time budget ran out)
     */
    static Inspected inspected(AnalysisInput input) throws InterruptedException {
        return input.memo().computeIfAbsent(INSPECTED, () -> inspect(input, ArchiveLimits.defaults(), null,
                new HtmlAttachmentAnalyzer.Pages()));
    }

    /** How many times the message's parts were inspected (once per input): for tests. */
    static int inspections(AnalysisInput input) {
        return input.memo().computations(INSPECTED);
    }

    /** Inspects every kept part content; also examines the pages inside archives if {@code pages} is given. */
    private static Inspected inspect(AnalysisInput input, ArchiveLimits limits, RarUnpacker unpacker,
            HtmlAttachmentAnalyzer.Pages pages) throws InterruptedException {
        ParsedMessage message = input.message();
        Map<String, ArchivePasswords.Opener> opened = new HashMap<>();
        ContentInspection inspection = new ContentInspection(limits);
        List<ArchivePasswords.Candidates> found = new ArrayList<>(1);
        inspection.passwordsFrom(() -> {
            if (found.isEmpty()) {
                found.add(ArchivePasswords.of(input));
            }
            return found.get(0);
        });
        inspection.unpackRarWith(unpacker);
        if (pages != null) {
            inspection.collectPages(pages);
        }
        for (MimePart part : message.parts()) {
            PartContent content = part.content();
            if (content == null) {
                continue;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("attachment inspection interrupted");
            }
            String path = displayedName(part);
            if (!content.complete()) {
                inspection.add(ContentInspection.NOT_INSPECTED, path + ": " + part.size()
                        + " bytes, only the first " + content.length() + " inspected");
            }
            if (content.length() == 0) {
                continue;
            }
            if (pages != null) {
                pages.part(part.path());
            }
            try (InputStream in = content.open()) {
                inspection.attachment(path, part.path(), part.filename(), part.contentType(), in, content::open);
            } catch (IOException e) {
                inspection.add(ContentInspection.NOT_INSPECTED, path + ": content unreadable");
            }
            if (inspection.opener() != null) {
                opened.put(part.path(), inspection.opener());
            }
            if (inspection.encryptedZip() && content.complete()) {
                ArchivePasswords.Candidates passwords = inspection.passwords();
                if (!passwords.all().isEmpty()) {
                    try (InputStream in = content.open()) {
                        ArchivePasswords.Opener opener = inspection.openWithPasswords(path, part.path(), in, passwords);
                        if (opener != null) {
                            opened.put(part.path(), opener);
                        }
                    } catch (IOException e) {
                        // read once already: the inspection said what it could
                    }
                }
            }
        }
        return new Inspected(inspection.findings(), pages == null ? List.of() : pages.pages(),
                inspection.linkSourcesInside(), inspection.rarInside(), inspection.zstdInside(),
                Map.copyOf(opened));
    }
}
