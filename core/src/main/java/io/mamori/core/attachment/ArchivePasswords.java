package io.mamori.core.attachment;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.PasswordMail;
import io.mamori.core.evasion.HtmlText;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Passwords a message gives for its own encrypted attachments, as in 「パスワード：Abc12345」 or "Password: x7Kp-29q":
 * the custom of sending a password-protected zip with its password (PPAP), which malware (Emotet among others) used
 * to pass scanners. Tried on the message's encrypted zip attachments so that their content can be inspected after
 * all.
 *
 * <p>Hand-written: a search of the text, not a standard anyone implements. The text is NFKC-folded (full-width letters
 * and colons become ASCII); a candidate is the run of 4 to 32 printable ASCII characters after a password word
 * (パスワード, パス, 暗証番号, 解凍キー, password, passcode, PW …) and a separator on the same line, or the whole next
 * line when it is one such run. Bounded: at most {@value #MAX_TEXT} characters of text are searched and at most
 * {@value #MAX_CANDIDATES} candidates kept, in order of appearance. {@link #open} tries them on a zip archive,
 * {@link #openSevenZip} on a 7z archive, {@link #openDocument} on an encrypted Office document.
 *
 * <p>The same search finds the password in a separate password mail (パスワード別送, the usual form of the custom): the
 * gateway reads a later mail's own candidates ({@link #of}, after its analysis: the HTML parts' visible text is then
 * read already) and analyzes the quarantined message again with them ({@link io.mamori.core.analysis.PasswordMail});
 * {@link #of} then offers the message's own first.
 */
public final class ArchivePasswords {

    static final int MAX_TEXT = 64 * 1024;
    static final int MAX_CANDIDATES = 8;
    /** Encrypted Office documents tried per message: each password costs up to {@value #MAX_SPIN_COUNT} hash rounds. */
    static final int MAX_DOCUMENTS = 3;
    /** The most hash rounds a document may ask of each password try (Office writes 100,000). */
    static final int MAX_SPIN_COUNT = 100_000;
    /** Encrypted 7z attachments tried per message: each password costs 2^numCyclesPower SHA-256 rounds per folder. */
    static final int MAX_SEVEN_ZIPS = 3;
    /** The largest numCyclesPower a 7z archive may ask of a password try: 7-Zip's own (2^19 SHA-256 rounds). */
    static final int MAX_CYCLES_POWER = 19;
    /** The most encrypted folders (one key derivation each, per password) a 7z archive may have to be tried. */
    static final int MAX_ENCRYPTED_FOLDERS = 16;

    /**
     * The words that introduce a password, searched in NFKC-folded text ({@link #mayNameAPassword} first). "PW" and
     * "PWD" not inside an ASCII word: in Japanese they follow kana or kanji directly ({@code 添付ファイルのPW：…},
     * {@code 解凍PWは…}), where Java 17's {@code \\b} (kanji and kana are word characters to it) found no boundary.
     */
    static final Pattern WORD = Pattern.compile(
            "(?i)(パスワード|パス|暗証番号|解凍キー|解凍用|password|passcode|passwd|pass ?word|(?<![a-z0-9_])pwd?(?![a-z0-9_]))");
    /**
     * What may stand between the word and the password: spaces, colons, は, brackets, "is". At most 64 of them: Java
     * matches each repetition of a group with alternatives one stack frame deeper, and "Password" followed by thousands
     * of colons overflowed the stack (after the message was committed: the client got 421 and sent it again).
     */
    private static final Pattern SEPARATOR = Pattern.compile(
            "(?i)^(?:[\\s:=は→⇒\\-–—「『【\\[(<\"'」』】\\])>]|is\\b|です){0,64}");
    private static final Pattern CANDIDATE = Pattern.compile("^[!-~]{4,32}");
    /** Closing marks and sentence ends around a password in running text, never part of it. */
    private static final String TRAILING = "」』】])>\"'.,;。、";

    private ArchivePasswords() {
    }

    /**
     * The passwords to try on the input's encrypted attachments: those its own text gives, then those of a separate
     * password mail the gateway re-analyzes it with ({@link AnalysisInput#separatePasswords()}).
     */
    public static Candidates of(AnalysisInput input) {
        return new Candidates(in(input.message(), html -> HtmlText.visible(input, html)),
                input.separatePasswords().orElse(null));
    }

    /** The candidates in a message's text parts (HTML as its visible text), in order, without repeats. */
    private static List<String> in(ParsedMessage message, java.util.function.UnaryOperator<String> visible) {
        StringBuilder text = new StringBuilder();
        for (MimePart part : message.parts()) {
            if (part.text() == null || text.length() >= MAX_TEXT) {
                continue;
            }
            text.append(part.contentType() != null && part.contentType().toLowerCase(Locale.ROOT).contains("html")
                    ? visible.apply(part.text()) : part.text()).append('\n');
        }
        return candidates(text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text.toString());
    }

    /**
     * The passwords to try on one message's encrypted attachments.
     *
     * @param own  those its own text gives, in order
     * @param mail those a separate password mail gave, or {@code null}
     */
    public record Candidates(List<String> own, PasswordMail mail) {

        public Candidates {
            own = List.copyOf(own);
        }

        /** Its own first, then the password mail's that it does not give itself. */
        public List<String> all() {
            if (mail == null) {
                return own;
            }
            Set<String> all = new LinkedHashSet<>(own);
            all.addAll(mail.passwords());
            return List.copyOf(all);
        }

        /** The password mail (or analyst) that gave {@code password}; empty when the message itself gives it. */
        public Optional<PasswordMail> givenElsewhere(String password) {
            return mail == null || own.contains(password) ? Optional.empty() : Optional.of(mail);
        }

        /** Never shows the passwords. */
        @Override
        public String toString() {
            return "Candidates[" + own.size() + " own" + (mail == null ? "" : ", " + mail) + "]";
        }
    }

    /** The candidates in a text, in order, without repeats. */
    static List<String> candidates(String text) {
        if (!mayNameAPassword(text)) {
            return List.of();
        }
        // Folded line by line, and only the lines that may name a password (no compatibility mapping makes or takes
        // a line break, so this is the folding of the whole text, cut into lines): folding and the regular
        // expression's alternatives tried at every position cost far more than the scan.
        List<String> lines = lines(text);
        Set<String> found = new LinkedHashSet<>();
        for (int i = 0; i < lines.size() && found.size() < MAX_CANDIDATES; i++) {
            if (!mayNameAPassword(lines.get(i))) {
                continue;
            }
            String line = Normalizer.normalize(lines.get(i), Normalizer.Form.NFKC);
            Matcher word = WORD.matcher(line);
            while (word.find() && found.size() < MAX_CANDIDATES) {
                String after = line.substring(word.end());
                Matcher sep = SEPARATOR.matcher(after);
                String rest = sep.find() ? after.substring(sep.end()) : after;
                String candidate = candidate(rest);
                if (candidate == null && rest.isBlank() && i + 1 < lines.size()) {
                    String next = Normalizer.normalize(lines.get(i + 1), Normalizer.Form.NFKC).strip();
                    String whole = candidate(next);
                    candidate = whole != null && whole.length() == trimmed(next).length() ? whole : null;
                }
                if (candidate != null) {
                    found.add(candidate);
                }
            }
        }
        return new ArrayList<>(found);
    }

    /** One file of an archive opened with a password: its name in the archive and its content. */
    public record File(String name, byte[] bytes) {
    }

    /**
     * What the passwords did to an archive.
     *
     * @param files    the files, decrypted, when a password opened it
     * @param tooLarge whether a password might open it but its content is larger than the bytes allowed (then no
     *                 files)
     * @param password the password that opened it, or {@code null}
     */
    public record Opened(List<File> files, boolean tooLarge, String password) {
    }

    /** An encrypted Office document's package, decrypted, and the password that opened it. */
    public record Decrypted(String password, byte[] bytes) {
    }

    /** A wrong password, or damage (a sentinel: compared by identity). */
    private static final List<File> WRONG = java.util.Collections.unmodifiableList(new ArrayList<>());
    /** Past the bytes allowed before the password could be checked to the end (a sentinel: compared by identity). */
    private static final List<File> TOO_LARGE = java.util.Collections.unmodifiableList(new ArrayList<>());
    /** An archive not to be tried with any further password (a sentinel: compared by identity). */
    private static final List<File> REFUSED = java.util.Collections.unmodifiableList(new ArrayList<>());

    /**
     * The files of a zip archive decrypted with the first of {@code passwords} that opens it, or empty when none does.
     * Decryption is Zip4j's (ZipCrypto and AES); a password is taken only when every encrypted file it opens passes
     * its check (CRC or AES authentication code) and at least one file was encrypted. Bounded: at most
     * {@code maxEntries} entries and {@code maxBytes} decrypted bytes in all are read per password (they are held in
     * memory); past them the archive counts as {@link Opened#tooLarge}. Stops (empty) when the calling thread is
     * interrupted.
     */
    public static Optional<Opened> open(byte[] zip, List<String> passwords, int maxEntries, int maxBytes) {
        return firstThatOpens(passwords, password -> decrypted(zip, password, maxEntries, maxBytes));
    }

    /**
     * The files the first of {@code passwords} gives ({@code attempt}: the files, {@link #WRONG}, {@link #TOO_LARGE},
     * or {@link #REFUSED} to stop trying), or empty; {@link Opened#tooLarge} when a password might open it but the
     * content is past the bytes allowed. Stops (empty) when the calling thread is interrupted.
     */
    private static Optional<Opened> firstThatOpens(List<String> passwords,
            java.util.function.Function<String, List<File>> attempt) {
        boolean tooLarge = false;
        for (String password : passwords) {
            if (Thread.currentThread().isInterrupted()) {
                return Optional.empty();
            }
            List<File> files = attempt.apply(password);
            if (files == REFUSED) {
                return Optional.empty();
            } else if (files == TOO_LARGE) {
                tooLarge = true;
            } else if (files != WRONG) {
                return Optional.of(new Opened(files, false, password));
            }
        }
        return tooLarge ? Optional.of(new Opened(List.of(), true, null)) : Optional.empty();
    }

    private static List<File> decrypted(byte[] zip, String password, int maxEntries, int maxBytes) {
        List<File> files = new ArrayList<>();
        boolean encrypted = false;
        long total = 0;
        try (net.lingala.zip4j.io.inputstream.ZipInputStream in = new net.lingala.zip4j.io.inputstream.ZipInputStream(
                new ByteArrayInputStream(zip), password.toCharArray())) {
            int count = 0;
            for (net.lingala.zip4j.model.LocalFileHeader h; (h = in.getNextEntry()) != null; ) {
                if (++count > maxEntries) {
                    return TOO_LARGE;
                }
                if (Thread.currentThread().isInterrupted()) {
                    return WRONG;
                }
                if (h.isDirectory()) {
                    continue;
                }
                byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes - total + 1));
                total += bytes.length;
                if (total > maxBytes) {
                    return TOO_LARGE;
                }
                encrypted |= h.isEncrypted();
                files.add(new File(h.getFileName(), bytes));
            }
        } catch (IOException | RuntimeException e) {
            return WRONG; // a wrong password (Zip4j checks each file's CRC or AES authentication code), or damage
        }
        return encrypted ? files : WRONG;
    }

    /**
     * The files of an encrypted 7z archive (7-Zip's AES-256, content only or headers too) decrypted with the first of
     * {@code passwords} that opens it, or empty when none does. Decryption is Commons Compress's; a password is taken only
     * when every file has a CRC and the whole archive reads to its end with every CRC matching (with a wrong password
     * the header or the content fails to decompress or to match): a damaged archive never yields garbage as files.
     * Tried only when its header shows at most {@value #MAX_ENCRYPTED_FOLDERS} encrypted folders and none asks more
     * than 2^{@value #MAX_CYCLES_POWER} hash rounds ({@link SevenZipKeys}; Commons Compress's key derivation has no cap
     * and cannot be interrupted); with an encrypted header, each password first decrypts the header alone, and the
     * content's folders it shows are held to the same bounds before any file is read. Bounded as {@link #open}: at
     * most {@code maxEntries} entries and {@code maxBytes} decrypted bytes per password, past them
     * {@link Opened#tooLarge}. Stops (empty) when the calling thread is
     * interrupted, between passwords and between files.
     */
    public static Optional<Opened> openSevenZip(byte[] archive, List<String> passwords, int maxEntries, int maxBytes) {
        Optional<SevenZipKeys.Cost> cost = SevenZipKeys.of(archive);
        if (cost.isEmpty() || cost.get().encryptedFolders() == 0
                || cost.get().encryptedFolders() > MAX_ENCRYPTED_FOLDERS
                || cost.get().maxCyclesPower() > MAX_CYCLES_POWER) {
            return Optional.empty();
        }
        return firstThatOpens(passwords, password -> {
            if (cost.get().headerEncrypted()) {
                // the content's folders were hidden in the header: read them with this password before the files
                char[] chars = password.toCharArray();
                Optional<SevenZipKeys.Cost> content = SevenZipKeys.hidden(archive, chars);
                java.util.Arrays.fill(chars, '\0');
                if (content.isEmpty()) {
                    return WRONG; // a wrong password, or a header not read here
                }
                if (content.get().encryptedFolders() > MAX_ENCRYPTED_FOLDERS
                        || content.get().maxCyclesPower() > MAX_CYCLES_POWER) {
                    return REFUSED;
                }
            }
            return sevenZipFiles(archive, password, maxEntries, maxBytes);
        });
    }

    private static List<File> sevenZipFiles(byte[] archive, String password, int maxEntries, int maxBytes) {
        List<File> files = new ArrayList<>();
        long total = 0;
        char[] chars = password.toCharArray();
        try (org.apache.commons.compress.archivers.sevenz.SevenZFile in =
                org.apache.commons.compress.archivers.sevenz.SevenZFile.builder()
                        .setSeekableByteChannel(new org.apache.commons.compress.utils.SeekableInMemoryByteChannel(archive))
                        .setPassword(chars).setMaxMemoryLimitKiB(64 * 1024).get()) {
            int count = 0;
            long declared = 0;
            for (org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry e : in.getEntries()) {
                if (++count > maxEntries) {
                    return TOO_LARGE;
                }
                if (e.hasStream() && !e.getHasCrc()) {
                    return WRONG; // nothing would tell a wrong password's garbage from the file
                }
                declared += e.hasStream() ? Math.max(0, e.getSize()) : 0;
            }
            if (declared > maxBytes) {
                return TOO_LARGE;
            }
            for (org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                if (Thread.currentThread().isInterrupted()) {
                    return WRONG;
                }
                if (e.isDirectory() || !e.hasStream()) {
                    continue;
                }
                try (java.io.InputStream content = in.getInputStream(e)) {
                    // read to the end (or past the bytes allowed): Commons Compress checks the CRC at the end
                    byte[] bytes = content.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes - total + 1));
                    total += bytes.length;
                    if (total > maxBytes) {
                        return TOO_LARGE;
                    }
                    files.add(new File(e.getName(), bytes));
                }
            }
        } catch (IOException | RuntimeException e) {
            return WRONG; // a wrong password (the header or content fails to decompress, or its CRC differs), or damage
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
        return files.isEmpty() ? WRONG : files;
    }

    /**
     * The decrypted package (a docx, xlsx or pptx zip file) of an encrypted Office Open XML document — an OLE2 file with
     * the streams {@code EncryptionInfo} and {@code EncryptedPackage} ([MS-OFFCRYPTO] 2.3.4, agile or standard
     * encryption) — opened with the first of {@code passwords} that Apache POI verifies, or empty. Bounded: at most
     * {@value #MAX_SPIN_COUNT} hash rounds a password (Office's own default; the file names its count, and a larger
     * one is not tried) and {@code maxBytes} bytes decrypted. Legacy binary encryption (RC4 of .doc and .xls) is not
     * tried.
     */
    public static Optional<Decrypted> openDocument(byte[] ole, List<String> passwords, int maxBytes) {
        try (org.apache.poi.poifs.filesystem.POIFSFileSystem fs =
                new org.apache.poi.poifs.filesystem.POIFSFileSystem(new ByteArrayInputStream(ole))) {
            if (!fs.getRoot().hasEntry("EncryptionInfo") || !fs.getRoot().hasEntry("EncryptedPackage")) {
                return Optional.empty();
            }
            org.apache.poi.poifs.crypt.EncryptionInfo info = new org.apache.poi.poifs.crypt.EncryptionInfo(fs);
            if (info.getVerifier().getSpinCount() > MAX_SPIN_COUNT) {
                return Optional.empty();
            }
            org.apache.poi.poifs.crypt.Decryptor decryptor = info.getDecryptor();
            for (String password : passwords) {
                if (Thread.currentThread().isInterrupted()) {
                    return Optional.empty();
                }
                if (decryptor.verifyPassword(password)) {
                    try (java.io.InputStream in = decryptor.getDataStream(fs)) {
                        if (decryptor.getLength() > maxBytes) {
                            return Optional.empty();
                        }
                        byte[] pkg = in.readNBytes(maxBytes + 1);
                        return pkg.length > maxBytes ? Optional.empty() : Optional.of(new Decrypted(password, pkg));
                    }
                }
            }
        } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
            // damaged, or an encryption POI does not read: not opened
        }
        return Optional.empty();
    }

    /**
     * An encrypted attachment opened again with the one password that opened it in the inspection: the package of an
     * Office document, or the files of a zip or 7z archive; exactly one is not {@code null}.
     */
    public record Reopened(byte[] documentPackage, List<File> files) {

        /** The decrypted bytes it holds. */
        long size() {
            return documentPackage != null ? documentPackage.length
                    : files.stream().mapToLong(f -> f.bytes().length).sum();
        }
    }

    /**
     * How the analyzers after the inspection have an encrypted attachment that a password opened in it: the decrypted
     * content the inspection kept ({@code kept}, at most {@link ContentInspection#MAX_KEPT_BYTES} a message), or else
     * the attachment decrypted again with {@code password}. Each decryption costs a key derivation (Office: 100,000
     * SHA-512 rounds; 7z: 2^19 SHA-256 rounds), so the antivirus and link analyzers share the inspection's rather than
     * deriving the key once each.
     */
    public record Opener(String password, Reopened kept) {

        /** The kept content, or the attachment read from {@code in} and decrypted again ({@link #reopen}). */
        public Optional<Reopened> reopen(InputStream in, int maxEntries, int maxBytes) throws IOException {
            return kept != null ? Optional.of(kept) : ArchivePasswords.reopen(in, password, maxEntries, maxBytes);
        }
    }

    /**
     * Opens an encrypted attachment again with {@code password} (the one that opened it in the inspection), by its
     * kind: an OLE2 file as an encrypted Office document, a zip or 7z archive as one; at most {@code maxBytes} read
     * from {@code in} and decrypted, {@code maxEntries} entries. Empty when it is none of these, too large, or the
     * password does not open it after all. What the antivirus and link analyzers read an opened attachment with.
     */
    public static Optional<Reopened> reopen(InputStream in, String password, int maxEntries, int maxBytes)
            throws IOException {
        byte[] bytes = in.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) {
            return Optional.empty();
        }
        List<String> opener = List.of(password);
        if (FileSignatures.isOle2(bytes, bytes.length)) {
            return openDocument(bytes, opener, maxBytes).map(d -> new Reopened(d.bytes(), null));
        }
        Optional<Opened> opened = FileSignatures.isZip(bytes, bytes.length) ? open(bytes, opener, maxEntries, maxBytes)
                : FileSignatures.isSevenZip(bytes, bytes.length) ? openSevenZip(bytes, opener, maxEntries, maxBytes)
                : Optional.empty();
        return opened.filter(o -> !o.tooLarge()).map(o -> new Reopened(null, o.files()));
    }

    /** The lines of a text, split at CR LF, LF or CR (by hand: {@code String.split} compiles its pattern every call). */
    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(text.substring(start, i));
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        lines.add(text.substring(start));
        return lines;
    }

    /**
     * Characters that NFKC folds into something else holding a letter of a password word (p, a, s, w in either case)
     * or ハ, パ, 暗 or 解: full-width and other compatibility forms, ª, ſ, squared units, enclosed letters, compatibility
     * ideographs. Computed once from the JDK's own NFKC tables (a pass over the BMP, some milliseconds), so that
     * {@link #mayNameAPassword} is exactly as wide as the folding.
     */
    private static final java.util.BitSet FOLDS_INTO_A_WORD_LETTER = new java.util.BitSet(0x10000);

    static {
        for (int c = 0x80; c < 0x10000; c++) {
            if (Character.isSurrogate((char) c)) {
                continue;
            }
            String one = String.valueOf((char) c);
            String folded = Normalizer.normalize(one, Normalizer.Form.NFKC);
            if (!folded.equals(one) && folded.chars().anyMatch(f -> "pPaAsSwWハパ暗解".indexOf(f) >= 0)) {
                FOLDS_INTO_A_WORD_LETTER.set(c);
            }
        }
    }

    /**
     * Whether {@code text} may hold a password word once NFKC-folded: a quick scan that spares the folding and the
     * regular expression (whose alternatives are tried at every position) the great majority of mail, which names no
     * password (every inbound message's text is searched for the gateway's password-mail look-up). A superset: "pw"
     * and "pass" in ASCII, ハ, パ, 暗, 解, any character that folds into a letter of these
     * ({@link #FOLDS_INTO_A_WORD_LETTER}), and any character outside the BMP. Also used line by line, so that only the
     * lines that may name a password are folded and searched.
     */
    static boolean mayNameAPassword(String text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                if ((c == 'p' || c == 'P') && i + 1 < n) {
                    char d = text.charAt(i + 1);
                    if (d == 'w' || d == 'W' || d >= 0x80) {
                        return true;
                    }
                    if ((d == 'a' || d == 'A') && i + 3 < n && s(text.charAt(i + 2)) && s(text.charAt(i + 3))) {
                        return true;
                    }
                }
            } else if (c == 'ハ' || c == 'パ' || c == '暗' || c == '解' || Character.isSurrogate(c)
                    || FOLDS_INTO_A_WORD_LETTER.get(c)) {
                return true;
            }
        }
        return false;
    }

    /** An s, or a character that may fold into one. */
    private static boolean s(char c) {
        return c == 's' || c == 'S' || c >= 0x80;
    }

    private static String candidate(String s) {
        Matcher m = CANDIDATE.matcher(s);
        if (!m.find()) {
            return null;
        }
        String c = trimmed(m.group());
        return c.length() >= 4 ? c : null;
    }

    private static String trimmed(String s) {
        int end = s.length();
        while (end > 0 && TRAILING.indexOf(s.charAt(end - 1)) >= 0) {
            end--;
        }
        return s.substring(0, end);
    }
}
