package io.mamori.core.attachment;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.message.MailCharsets;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.PartContent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Looks into HTML and SVG files attached to a message, the carrier of "open the attached document to sign in"
 * phishing and of HTML smuggling (a page that assembles its payload in the browser): {@code HTML_ATTACHMENT} for
 * the file itself, {@code HTML_ATTACHMENT_FORM} when it holds a form or a password field (a login page that
 * runs from the mailbox, out of reach of web filters), {@code HTML_ATTACHMENT_SCRIPT} when its script navigates
 * the browser away, decodes or writes content ({@code location}, {@code atob}, {@code document.write},
 * {@code eval}, {@code fromCharCode}, {@code Blob} and similar, or a property named by a computed string such as
 * {@code window["loc"+"ation"]}) or a {@code meta refresh} redirects it, and when it carries a file for the browser
 * to save (HTML smuggling: a {@code download} link to a {@code data:} or {@code blob:} URL, a base64 {@code data:}
 * URL holding a program, disk image, archive or Office file, or a long one of a type that is not a picture, font,
 * medium or text). The file's names are judged as Windows reads them ({@code login.htm.} is a page). One finding per code;
 * evidence names the file and what was found. Pages inside archive attachments (zip, 7z, gzip, tar, stored RAR
 * entries, nested) are examined alike, within the attachment analyzer's {@link ArchiveLimits}, and named by their path
 * ({@code Invoice.zip!/invoice.html}): taken from that analyzer's inspection of the message, made once for both
 * ({@link AttachmentContentAnalyzer#inspected}), or, when an attachment this analyzer takes for a page is an archive
 * (which it does not open, but the inspection does), found by a walk of its own ({@link ArchiveContents}). The file
 * is parsed by jsoup, never rendered or run; at most {@value #MAX_BYTES} bytes of each and {@value #MAX_FILES} files
 * per message (attached or archived) are read, and at most {@value #MAX_ARCHIVED_BYTES} bytes out of archives.
 * Thread-safe.
 */
public final class HtmlAttachmentAnalyzer implements Analyzer {

    static final String HTML_ATTACHMENT = "HTML_ATTACHMENT";
    static final String FORM = "HTML_ATTACHMENT_FORM";
    static final String SCRIPT = "HTML_ATTACHMENT_SCRIPT";
    static final int MAX_BYTES = 2 * 1024 * 1024;
    static final int MAX_FILES = 10;
    /** HTML bytes read from inside archives per message (each file at most {@value #MAX_BYTES}). */
    static final int MAX_ARCHIVED_BYTES = 4 * MAX_BYTES;

    private static final Pattern HTML_NAME = Pattern.compile("(?i).*\\.(?:s?html?|xht(?:ml)?|svg|mht(?:ml)?)\\s*$");
    private static final Set<String> HTML_TYPES = Set.of("text/html", "application/xhtml+xml", "image/svg+xml");
    /** What page script uses to send the reader elsewhere or to build the page from hidden data. */
    private static final Pattern ACTIVE = Pattern.compile("(?i)\\b(?:window\\.location|document\\.location|location\\.href"
            + "|location\\.replace|location\\.assign|document\\.write|atob|unescape|eval|fromCharCode|decodeURIComponent"
            + "|createObjectURL|msSaveOrOpenBlob|Blob|Uint8Array)\\b"
            // window["loc"+"ation"]: a property named by a computed string, which hides the name from this pattern
            + "|\\b(?:window|document|self|top|parent|globalThis)\\s*\\[");
    /**
     * The start of a base64 {@code data:} URL (RFC 2397): a file carried inside the page itself, which smuggling pages
     * hand to the browser to save past the mail filter.
     */
    private static final Pattern DATA_URL = Pattern.compile("(?i)data:([a-z0-9.+-]+/[a-z0-9.+-]+)?(?:;[a-z0-9.+_=-]*)*?;base64,");
    /** A payload this long is a file rather than an icon; pictures, fonts, media and text are left to the page's looks. */
    private static final int LONG_PAYLOAD = 1024;
    /** Base64 characters decoded from a payload to tell its type: enough for an ISO 9660 descriptor. */
    private static final int PAYLOAD_HEAD = FileSignatures.HEAD * 4 / 3 + 4;
    private static final Pattern META_CHARSET = Pattern.compile("(?i)<meta[^>]+charset\\s*=\\s*[\"']?([A-Za-z0-9_.:-]+)");

    @Override
    public String name() {
        return "html-attachment";
    }

    @Override
    public Set<String> codes() {
        return new LinkedHashSet<>(List.of(HTML_ATTACHMENT, FORM, SCRIPT));
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) throws IOException, InterruptedException {
        Found found = new Found();
        List<Page> archived = sharedPages(input);
        ArchiveContents archives = new ArchiveContents(ArchiveLimits.defaults(),
                Map.of(ArchiveContents.Type.HTML, MAX_BYTES), MAX_ARCHIVED_BYTES).sharing(ArchiveContents.heads(input));
        boolean walking = true;
        for (MimePart part : input.message().parts()) {
            if (found.examined >= MAX_FILES || Thread.currentThread().isInterrupted()) {
                break;
            }
            if (isHtmlFile(part)) {
                String name = part.filename() != null ? part.filename().strip() : "part " + part.path();
                found.examine(name, text(part));
            } else if (archived != null && part.content() != null) {
                for (Page page : archived) {
                    if (page.part().equals(part.path())) {
                        found.add(page);
                        if (found.examined >= MAX_FILES) {
                            break;
                        }
                    }
                }
            } else if (walking && part.content() != null) {
                String shown = part.filename() == null || part.filename().isBlank()
                        ? "part " + part.path() : AttachmentNameAnalyzer.displayed(part.filename());
                walking = archives.walkIfArchive(shown, part.filename(), part.content(), file -> {
                    found.examine(file.path(), decode(file.bytes(), null));
                    return found.examined < MAX_FILES;
                });
            }
        }
        List<Finding> findings = new ArrayList<>();
        if (!found.files.isEmpty()) {
            findings.add(Finding.of(HTML_ATTACHMENT, String.join("; ", found.files)));
        }
        if (!found.forms.isEmpty()) {
            findings.add(Finding.of(FORM, String.join("; ", found.forms)));
        }
        if (!found.scripts.isEmpty()) {
            findings.add(Finding.of(SCRIPT, String.join("; ", found.scripts)));
        }
        return findings;
    }

    /**
     * The pages inside the message's archives as the attachment analyzer's inspection found them on its walk
     * ({@link AttachmentContentAnalyzer#inspected}), or {@code null} when this analyzer walks them itself: when a part
     * it takes for an HTML file is an archive, which it never opens but the inspection walks (its entries count against
     * the message's limits before the pages of later archives).
     */
    private static List<Page> sharedPages(AnalysisInput input) throws InterruptedException {
        for (MimePart part : input.message().parts()) {
            if (isHtmlFile(part) && part.content() != null) {
                byte[] head = ArchiveContents.heads(input).head(part.content());
                if (head != null && ArchiveContents.isArchive(head, head.length)) {
                    return null;
                }
            }
        }
        return AttachmentContentAnalyzer.inspected(input).pages();
    }

    /**
     * What one page inside an archive shows.
     *
     * @param part   the MIME part of the archive ({@link MimePart#path()})
     * @param path   the page as evidence names it: {@code invoice.zip!/invoice.html}
     * @param form   the form evidence, or {@code null}
     * @param script the script evidence, or {@code null}
     */
    record Page(String part, String path, String form, String script) {
    }

    /**
     * Takes the pages inside archives from the attachment analyzer's walk, as a walk of {@link ArchiveContents} for
     * them would: each up to {@value #MAX_BYTES} bytes, up to {@value #MAX_ARCHIVED_BYTES} bytes and
     * {@value #MAX_FILES} pages per message; the attached pages before an archive count against the same 10 files, so
     * this analyzer takes the first of them it still may.
     */
    static final class Pages implements ContentInspection.Pages {
        private final List<Page> pages = new ArrayList<>();
        private String part = "";
        private long handed;

        void part(String path) {
            part = path;
        }

        List<Page> pages() {
            return List.copyOf(pages);
        }

        @Override
        public int wanted() {
            return pages.size() >= MAX_FILES || handed >= MAX_ARCHIVED_BYTES
                    ? 0 : (int) Math.min(MAX_BYTES, MAX_ARCHIVED_BYTES - handed);
        }

        @Override
        public void take(String path, byte[] bytes, boolean complete) {
            handed += bytes.length;
            String[] signs = signs(path, decode(bytes, null));
            pages.add(new Page(part, path, signs[0], signs[1]));
        }
    }

    /** What the HTML files of one message show. */
    private static final class Found {
        final Set<String> files = new LinkedHashSet<>();
        final Set<String> forms = new LinkedHashSet<>();
        final Set<String> scripts = new LinkedHashSet<>();
        int examined;

        /** One file: {@code name} as evidence names it ({@code invoice.zip!/invoice.html} inside an archive). */
        void examine(String name, String html) {
            String[] signs = signs(name, html);
            add(new Page("", name, signs[0], signs[1]));
        }

        void add(Page page) {
            examined++;
            files.add(page.path());
            if (page.form() != null) {
                forms.add(page.form());
            }
            if (page.script() != null) {
                scripts.add(page.script());
            }
        }
    }

    /** The form and script evidence of one file, each {@code null} when it shows none. */
    static String[] signs(String name, String html) {
        String[] signs = new String[2];
        if (html == null || html.isEmpty()) {
            return signs;
        }
        Document doc = Jsoup.parse(html);
        List<String> formSigns = new ArrayList<>();
        if (!doc.select("input[type=password]").isEmpty()) {
            formSigns.add("password field");
        }
        for (Element form : doc.select("form")) {
            String action = form.attr("action").strip();
            formSigns.add(action.isEmpty() ? "form" : "form to " + shortened(action));
            break;
        }
        if (!formSigns.isEmpty()) {
            signs[0] = name + ": " + String.join(", ", formSigns);
        }
        Set<String> active = new LinkedHashSet<>();
        StringBuilder code = new StringBuilder();
        doc.select("script").forEach(s -> code.append(s.data()).append('\n'));
        doc.getAllElements().forEach(e -> e.attributes().forEach(a -> {
            if (a.getKey().toLowerCase(Locale.ROOT).startsWith("on")) {
                code.append(a.getValue()).append('\n');
            }
        }));
        Matcher m = ACTIVE.matcher(code);
        while (m.find() && active.size() < 4) {
            active.add(m.group().toLowerCase(Locale.ROOT).replaceAll("\\s+", ""));
        }
        for (Element link : doc.select("[download]")) {
            String href = link.attr("href").strip().toLowerCase(Locale.ROOT);
            if (href.startsWith("data:") || href.startsWith("blob:")) {
                active.add("download of a " + href.substring(0, 4) + ": URL");
                break;
            }
        }
        String payload = smuggledPayload(html);
        if (payload != null) {
            active.add(payload);
        }
        for (Element meta : doc.select("meta[http-equiv]")) {
            if (meta.attr("http-equiv").equalsIgnoreCase("refresh") && meta.attr("content").toLowerCase(Locale.ROOT).contains("url")) {
                active.add("meta refresh");
                break;
            }
        }
        if (!active.isEmpty()) {
            signs[1] = name + ": " + String.join(", ", active);
        }
        return signs;
    }

    /**
     * What the first file-like base64 {@code data:} URL in the page carries, or {@code null}: a program, disk image,
     * archive or Office container by its first bytes, whatever type the URL declares; else a long payload of a type that
     * is neither picture, font nor media. Looks in the whole page, script strings included, where smuggling pages keep it.
     */
    static String smuggledPayload(String html) {
        Matcher m = DATA_URL.matcher(html);
        while (m.find()) {
            String type = m.group(1) == null ? "text/plain" : m.group(1).toLowerCase(Locale.ROOT);
            StringBuilder base64 = new StringBuilder();
            int i = m.end();
            for (; i < html.length() && base64.length() < PAYLOAD_HEAD; i++) {
                char c = html.charAt(i);
                if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
                    base64.append(c);
                } else if (c != '\r' && c != '\n' && c != ' ' && c != '\t' && c != '\\') {
                    break;
                }
            }
            int length = base64.length() - base64.length() % 4;
            byte[] head = Base64.getDecoder().decode(base64.substring(0, length));
            String carried = FileSignatures.executable(head, head.length);
            if (carried == null && FileSignatures.isZip(head, head.length)) {
                carried = "zip archive";
            } else if (carried == null && (FileSignatures.isRar(head, head.length)
                    || FileSignatures.isSevenZip(head, head.length))) {
                carried = "RAR or 7z archive";
            } else if (carried == null && FileSignatures.isOle2(head, head.length)) {
                carried = "Office (OLE2) file";
            }
            if (carried != null) {
                return "data: URL payload: " + carried;
            }
            boolean looks = type.startsWith("image/") || type.startsWith("font/") || type.startsWith("audio/")
                    || type.startsWith("video/") || type.startsWith("text/");
            if (!looks && length >= LONG_PAYLOAD) {
                return "data: URL of " + type;
            }
            m.region(Math.max(i, m.end()), html.length());
        }
        return null;
    }

    /** An attached (or otherwise non-body) part that is an HTML or SVG file by name or declared type. */
    static boolean isHtmlFile(MimePart part) {
        boolean named = part.names().stream().anyMatch(HtmlAttachmentAnalyzer::isHtmlName);
        boolean typed = HTML_TYPES.contains(part.contentType()) && (part.attachment() || part.filename() != null);
        return (part.attachment() || part.content() != null) && (named || typed);
    }

    /** Whether a file of this name opens in the browser: HTML, XHTML, SVG or MHTML. */
    static boolean isHtmlName(String name) {
        // As Windows opens it: login.htm. (trailing dot) and ｌｏｇｉｎ．ｈｔｍ open in the browser too
        return HTML_NAME.matcher(AttachmentNameAnalyzer.windowsName(name)).matches();
    }

    private static String text(MimePart part) throws IOException {
        if (part.text() != null) {
            return part.text();
        }
        PartContent content = part.content();
        if (content == null) {
            return null;
        }
        byte[] bytes;
        try (InputStream in = content.open()) {
            bytes = in.readNBytes(MAX_BYTES);
        }
        return decode(bytes, part.charset());
    }

    /** The file's text in its declared charset, else the one its {@code meta} names, else as detected. */
    static String decode(byte[] bytes, String charset) {
        if (charset == null) {
            Matcher m = META_CHARSET.matcher(new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.ISO_8859_1));
            charset = m.find() ? m.group(1) : null;
        }
        return MailCharsets.decode(bytes, charset);
    }

    private static String shortened(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
