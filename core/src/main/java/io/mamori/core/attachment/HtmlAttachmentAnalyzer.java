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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
 * {@code eval}, {@code fromCharCode} and similar) or a {@code meta refresh} redirects it. One finding per code;
 * evidence names the file and what was found. The file is parsed by jsoup, never rendered or run; at most
 * {@value #MAX_BYTES} bytes of each and {@value #MAX_FILES} files per message are read. Stateless and thread-safe.
 */
public final class HtmlAttachmentAnalyzer implements Analyzer {

    static final String HTML_ATTACHMENT = "HTML_ATTACHMENT";
    static final String FORM = "HTML_ATTACHMENT_FORM";
    static final String SCRIPT = "HTML_ATTACHMENT_SCRIPT";
    static final int MAX_BYTES = 2 * 1024 * 1024;
    static final int MAX_FILES = 10;

    private static final Pattern HTML_NAME = Pattern.compile("(?i).*\\.(?:s?html?|xht(?:ml)?|svg|mht(?:ml)?)\\s*$");
    private static final Set<String> HTML_TYPES = Set.of("text/html", "application/xhtml+xml", "image/svg+xml");
    /** What page script uses to send the reader elsewhere or to build the page from hidden data. */
    private static final Pattern ACTIVE = Pattern.compile("(?i)\\b(?:window\\.location|document\\.location|location\\.href"
            + "|location\\.replace|location\\.assign|document\\.write|atob|unescape|eval|fromCharCode|decodeURIComponent"
            + "|createObjectURL|msSaveOrOpenBlob)\\b");
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
    public List<Finding> analyze(AnalysisInput input) throws IOException {
        Set<String> files = new LinkedHashSet<>();
        Set<String> forms = new LinkedHashSet<>();
        Set<String> scripts = new LinkedHashSet<>();
        int examined = 0;
        for (MimePart part : input.message().parts()) {
            if (examined >= MAX_FILES || Thread.currentThread().isInterrupted()) {
                break;
            }
            if (!isHtmlFile(part)) {
                continue;
            }
            examined++;
            String name = part.filename() != null ? part.filename().strip() : "part " + part.path();
            files.add(name);
            String html = text(part);
            if (html == null || html.isEmpty()) {
                continue;
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
                forms.add(name + ": " + String.join(", ", formSigns));
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
                active.add(m.group().toLowerCase(Locale.ROOT));
            }
            for (Element meta : doc.select("meta[http-equiv]")) {
                if (meta.attr("http-equiv").equalsIgnoreCase("refresh") && meta.attr("content").toLowerCase(Locale.ROOT).contains("url")) {
                    active.add("meta refresh");
                    break;
                }
            }
            if (!active.isEmpty()) {
                scripts.add(name + ": " + String.join(", ", active));
            }
        }
        List<Finding> findings = new ArrayList<>();
        if (!files.isEmpty()) {
            findings.add(Finding.of(HTML_ATTACHMENT, String.join("; ", files)));
        }
        if (!forms.isEmpty()) {
            findings.add(Finding.of(FORM, String.join("; ", forms)));
        }
        if (!scripts.isEmpty()) {
            findings.add(Finding.of(SCRIPT, String.join("; ", scripts)));
        }
        return findings;
    }

    /** An attached (or otherwise non-body) part that is an HTML or SVG file by name or declared type. */
    static boolean isHtmlFile(MimePart part) {
        boolean named = part.filename() != null && HTML_NAME.matcher(part.filename()).matches();
        boolean typed = HTML_TYPES.contains(part.contentType()) && (part.attachment() || part.filename() != null);
        return (part.attachment() || part.content() != null) && (named || typed);
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
        String charset = part.charset();
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
