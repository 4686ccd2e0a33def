package io.mamori.core.attachment;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.message.MimePart;
import io.mamori.core.text.VisibleText;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Looks at the file names of body parts (any part with a name, attachment or inline) for what Windows would
 * run when opened: {@code ATTACHMENT_EXECUTABLE} for an executable or script type (disk images, shortcuts and
 * OneNote included, as current malware campaigns use them), {@code ATTACHMENT_DOUBLE_EXTENSION} for a
 * document or image extension put before such a type ({@code 請求書.pdf.exe}, also with padding spaces), and
 * {@code ATTACHMENT_NAME_RTLO} for right-to-left override characters that make {@code fdp.exe} read as
 * {@code exe.pdf}. The name is judged as Windows sees it: NFKC (full-width {@code ．ｅｘｅ} is {@code .exe}),
 * without invisible format characters, without the trailing dots and spaces Windows drops. The evidence is
 * the name, with invisible characters shown as {@code <U+202E>} and long space runs as {@code [40 spaces]}.
 * Stateless and thread-safe.
 */
public final class AttachmentNameAnalyzer implements Analyzer {

    static final String EXECUTABLE = "ATTACHMENT_EXECUTABLE";
    static final String DOUBLE_EXTENSION = "ATTACHMENT_DOUBLE_EXTENSION";
    static final String RTLO = "ATTACHMENT_NAME_RTLO";

    /**
     * Types that run code, install something, or change the reader's settings when opened with a double click on
     * Windows with Office: the shipped policy quarantines them, so a type is here only when mail between people
     * has little reason to carry it. Outlook's Level-1 blocked list is the base, without what people exchange for
     * work: source code ({@code .py}, {@code .pl}, {@code .asp}, {@code .csh}, {@code .bas}, {@code .vbp}), which
     * opens in an editor; certificates ({@code .cer}, {@code .crt}, {@code .der}), which are public data and
     * install only after the reader confirms; Access databases ({@code .mdb}, {@code .accdb}), which Access opens
     * with macros disabled; {@code .pst} and {@code .tmp}. Outside it: {@code .mof} and {@code .wim}, which
     * do nothing when opened ({@code mofcomp} and DISM must be run on them). See docs/detection.md.
     */
    private static final Set<String> EXECUTABLE_EXTENSIONS = Set.of(
            // programs, installers and script hosts
            "exe", "scr", "com", "pif", "cpl", "js", "jse", "vbs", "vbe", "vb", "wsf", "wsh", "wsc", "ws", "sct",
            "hta", "htc", "msi", "msp", "mst", "msu", "msc", "bat", "cmd", "jar", "jnlp", "reg", "inf", "dll", "cab",
            "appx", "appxbundle", "msix", "msixbundle", "appinstaller", "application", "appref-ms", "xbap", "vsto",
            "gadget", "diagcab", "grp", "ins", "isp", "its", "ops", "osd", "prf", "xnk", "webpnp", "mcf", "asx",
            "bgi", "fxp", "pyz", "pyzw", "udl", "printerexport", "wsb", "vsmacros",
            // PowerShell and its predecessor Monad
            "ps1", "psm1", "psd1", "psdm1", "ps1xml", "ps2", "ps2xml", "psc1", "psc2", "pssc", "cdxml", "msh", "msh1",
            "msh2", "mshxml", "msh1xml", "msh2xml",
            // shortcuts and Explorer files that fetch or start something elsewhere
            "lnk", "url", "website", "scf", "shb", "shs", "rdp", "library-ms", "searchconnector-ms", "search-ms",
            "settingcontent-ms", "appcontent-ms", "theme", "themepack", "deskthemepack",
            // disk images that Explorer mounts, hiding their contents from mail filters
            "iso", "img", "vhd", "vhdx",
            // help files that run script
            "chm", "hlp", "cnt", "hpj",
            // OneNote, and Office files that are code: add-ins load on opening, SYLK and web queries run formulas
            // and fetch content, compiled Access applications have no macro prompt
            "one", "xll", "xla", "xlam", "ppa", "ppam", "wll", "slk", "iqy", "dqy", "rqy", "mde", "accde", "ade",
            "adp", "mda", "accda", "accdr", "mdz", "mad", "maf", "mag", "mam", "maq", "mar", "mas", "mat", "mau",
            "mav", "maw");

    private static final Set<String> DECOY_EXTENSIONS = Set.of(
            "pdf", "doc", "docx", "docm", "dot", "xls", "xlsx", "xlsm", "xlsb", "ppt", "pptx", "pptm", "rtf", "txt",
            "csv", "odt", "ods", "odp", "jtd", "xdw", "hwp", "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff",
            "heic", "mp3", "mp4", "mov", "avi", "wav", "wmv", "zip", "rar", "7z", "lzh", "html", "htm", "eml", "msg");

    /** Characters that reorder the displayed name: RLE, RLO, RLI and their left-to-right counterparts. */
    private static final String BIDI_OVERRIDES = "\u202A\u202B\u202D\u202E\u2066\u2067\u2068";

    @Override
    public String name() {
        return "attachment-name";
    }

    @Override
    public Set<String> codes() {
        return Set.of(EXECUTABLE, DOUBLE_EXTENSION, RTLO);
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) {
        List<Finding> findings = new ArrayList<>();
        for (MimePart part : input.message().parts()) {
            // Every name the part has: the reader's client may show another than the one the parser chose
            for (String name : part.names()) {
                if (!name.isBlank()) {
                    judge(name, displayed(name), findings);
                }
            }
        }
        return findings.stream().distinct().toList();
    }

    /**
     * The same checks for a file inside an archive: {@code name} is the entry's own name (its last path
     * segment), {@code evidence} says where it is, e.g. {@code invoice.zip!/a/b.exe}.
     */
    static void judge(String name, String evidence, List<Finding> findings) {
        if (name.chars().anyMatch(c -> BIDI_OVERRIDES.indexOf(c) >= 0)) {
            findings.add(Finding.of(RTLO, evidence));
        }
        int nul = name.indexOf('\0');
        if (nul >= 0) {
            // Programs written in C end the name at the NUL: report.js\0.txt is saved as report.js
            judgeExtensions(name.substring(0, nul), evidence, findings);
        }
        judgeExtensions(name, evidence, findings);
    }

    private static void judgeExtensions(String name, String evidence, List<Finding> findings) {
        String asWindowsSeesIt = windowsName(name);
        String extension = extension(asWindowsSeesIt);
        if (!EXECUTABLE_EXTENSIONS.contains(extension)) {
            return;
        }
        findings.add(Finding.of(EXECUTABLE, evidence));
        String stem = asWindowsSeesIt.substring(0, asWindowsSeesIt.length() - extension.length() - 1).strip();
        if (DECOY_EXTENSIONS.contains(extension(stem))) {
            findings.add(Finding.of(DOUBLE_EXTENSION, evidence));
        }
    }

    static String windowsName(String name) {
        String n = Normalizer.normalize(name, Normalizer.Form.NFKC);
        StringBuilder visible = new StringBuilder(n.length());
        n.codePoints().filter(c -> Character.getType(c) != Character.FORMAT && !Character.isISOControl(c))
                .forEach(visible::appendCodePoint);
        String s = visible.toString();
        // what Windows saves a name as: trailing dots and blanks dropped; an NTFS stream suffix (report.js::$DATA is
        // the file report.js itself) and trailing path separators (report.js/, as some unpackers write a name) too
        boolean changed = true;
        while (changed) {
            String before = s;
            int end = s.length();
            while (end > 0 && (s.charAt(end - 1) == '.' || Character.isWhitespace(s.charAt(end - 1))
                    || s.charAt(end - 1) == '/' || s.charAt(end - 1) == '\\')) {
                end--;
            }
            s = s.substring(0, end);
            if (s.toLowerCase(Locale.ROOT).endsWith("::$data")) {
                s = s.substring(0, s.length() - "::$data".length());
            }
            changed = !s.equals(before);
        }
        return s.toLowerCase(Locale.ROOT);
    }

    static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).strip();
    }

    /**
     * A file name as evidence shows it: runs of spaces shortened, and invisible and control characters (such as the
     * right-to-left override; a tab too) written as {@code <U+202E>} ({@link VisibleText}) so that the name cannot
     * disguise itself in the console.
     */
    public static String displayed(String name) {
        StringBuilder out = new StringBuilder(name.length());
        int spaces = 0;
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            i += Character.charCount(c);
            if (c == ' ' || c == '\u3000') {
                spaces++;
                continue;
            }
            spaces = flushSpaces(out, spaces);
            if (VisibleText.hides(c) || c == '\t') {
                out.append(VisibleText.code(c));
            } else {
                out.appendCodePoint(c);
            }
        }
        flushSpaces(out, spaces);
        return out.toString();
    }

    private static int flushSpaces(StringBuilder out, int spaces) {
        if (spaces > 3) {
            out.append('[').append(spaces).append(" spaces]");
        } else {
            out.append(" ".repeat(spaces));
        }
        return 0;
    }
}
