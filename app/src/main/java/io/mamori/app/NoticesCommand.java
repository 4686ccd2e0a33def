package io.mamori.app;

import io.mamori.console.notice.NoticeKind;
import io.mamori.console.notice.NoticeLanguage;
import io.mamori.console.notice.NoticeTemplateException;
import io.mamori.console.notice.NoticeTemplates;
import io.mamori.console.notice.Notices;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyException;
import io.mamori.core.policy.PolicyLoader;
import io.mamori.core.text.InvalidInput;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "notices", mixinStandardHelpOptions = true,
        description = {"従業員への通知（日本語と英語）を、このゲートウェイのキューから送ります。",
            "組み込み H2 データベースの場合はゲートウェイを停止してください。"
                + "キューに入れた通知はゲートウェイの稼働中に送信されます。",
            "Notices to employees (Japanese and English), sent through this gateway's queue.",
            "With the embedded H2 database the gateway must be stopped; queued notices go out when it runs."},
        subcommands = {NoticesCommand.MfaReminders.class, NoticesCommand.Templates.class})
final class NoticesCommand extends CliHelp.Group {

    /** While the gateway runs, the web console's user page sends the reminders. */
    static final LocalStore.Command STORE = new LocalStore.Command("notices",
            "Web コンソールの「ユーザーとロール」のページ（多要素認証の設定を促すメールを送る）",
            "the web console's page Users and roles (Send MFA set-up reminders)");

    private static final long MAX_CSV = 10L * 1024 * 1024;

    /** One line of the recipients file. */
    record Recipient(int line, String email, String name, String department, String language) {
    }

    /**
     * Reads {@code email,name,department,language} (header line required; only {@code email} is mandatory; a
     * missing or unknown language sends Japanese then English). UTF-8 with or without BOM; a file that is not
     * UTF-8 is read as Windows-31J, which is what Excel on Japanese Windows saves as "CSV".
     *
     * @throws IllegalArgumentException listing every bad line as {@code FILE:LINE: problem}
     */
    static List<Recipient> readRecipients(Path file) throws IOException {
        if (Files.size(file) > MAX_CSV) {
            throw new IllegalArgumentException(file + ": 10 MB を超えています / larger than 10 MB");
        }
        String text = decode(Files.readAllBytes(file));
        List<String> problems = new ArrayList<>();
        Map<String, Recipient> byEmail = new LinkedHashMap<>();
        CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setIgnoreHeaderCase(true)
                .setTrim(true).setIgnoreEmptyLines(true).setAllowMissingColumnNames(true)
                .setDuplicateHeaderMode(org.apache.commons.csv.DuplicateHeaderMode.ALLOW_EMPTY).get();
        CSVParser opened;
        try {
            opened = format.parse(new StringReader(text));
        } catch (IllegalArgumentException e) {
            // a column named twice (which would read one of them silently); commons-csv says so in English, for programmers
            throw new IllegalArgumentException(file + ":1: 1 行目に同じ列名が 2 回あります / the first line names a column twice", e);
        }
        try (CSVParser parser = opened) {
            Map<String, Integer> header = parser.getHeaderMap();
            if (header == null || header.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("email"))) {
                throw new IllegalArgumentException(file + ":1: 1 行目に列名（例: email,name,department,language）が必要です"
                        + " / the first line must name the columns, e.g. email,name,department,language");
            }
            for (CSVRecord r : parser) {
                int line = (int) r.getParser().getCurrentLineNumber();
                String email = get(r, "email");
                if (!io.mamori.core.text.MailAddresses.plausible(email)) {
                    problems.add(file + ":" + line + ": '" + email + "' はメールアドレスではありません / not an email address: '"
                            + email + "'");
                    continue;
                }
                byEmail.putIfAbsent(email.toLowerCase(Locale.ROOT),
                        new Recipient(line, email, get(r, "name"), get(r, "department"), get(r, "language")));
            }
        } catch (java.io.UncheckedIOException | IllegalStateException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException(file + ": CSV ファイルとして正しくありません / not a valid CSV file: "
                    + cause.getMessage(), e);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return List.copyOf(byEmail.values());
    }

    private static String get(CSVRecord r, String column) {
        for (Map.Entry<String, String> e : r.toMap().entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(column)) {
                return e.getValue() == null ? "" : e.getValue().trim();
            }
        }
        return "";
    }

    private static String decode(byte[] bytes) {
        int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF ? 3 : 0;
        ByteBuffer buffer = ByteBuffer.wrap(bytes, start, bytes.length - start);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(buffer).toString();
        } catch (CharacterCodingException notUtf8) {
            return new String(bytes, Charset.forName("windows-31j"));
        }
    }

    static Policy currentPolicy(MamoriProperties settings) throws PolicyException {
        PolicyLoader loader = new PolicyLoader(FindingCatalogue.builtIn());
        Path file = settings.policy().file();
        return Files.isRegularFile(file) ? loader.load(file) : loader.defaults();
    }

    @Command(name = "mfa-reminders", mixinStandardHelpOptions = true,
            description = {"多要素認証（MFA）設定のリマインダーをキューに入れます。",
                "宛先は FILE.csv の各利用者（列は email,name,department,language。1 行目の列名は必須。"
                    + "language は ja か en で、空欄なら日本語と英語の両方）、または --from-directory で、"
                    + "認証アプリを設定していない有効なコンソール利用者全員です。",
                "通知ごとに notice.mfa-reminder として監査ログに記録します。",
                "Queue an MFA enrollment reminder for each recipient.",
                "The recipients are the users in FILE.csv (columns email,name,department,language; header line"
                    + " required; language ja or en, empty = Japanese then English), or with --from-directory every"
                    + " active console user who has not set up an authenticator app.",
                "Each notice is recorded in the audit log as notice.mfa-reminder."})
    static final class MfaReminders implements Callable<Integer> {
        @Parameters(paramLabel = "FILE.csv", arity = "0..1", description = {"宛先の CSV ファイル（UTF-8、または Excel の Shift_JIS）",
            "the recipients' CSV file (UTF-8, or Excel's Shift_JIS)"})
        Path file;

        @Option(names = "--from-directory", description = {"ファイルの代わりに、コンソールのアカウントがあり認証アプリを設定していない有効な全員",
            "instead of a file: every active person with a console account and no authenticator app set up"})
        boolean fromDirectory;

        @Option(names = "--dry-run", description = {"誰にどの件名で送るかを表示するだけで、キューには入れません",
            "show who would get which subject; queue nothing"})
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            MamoriProperties settings = Settings.load(List.of());
            List<Recipient> listed;
            Policy policy;
            if (fromDirectory == (file != null)) {
                System.err.println("notices: FILE.csv か --from-directory のどちらかを指定してください / give either FILE.csv or"
                        + " --from-directory");
                return 2;
            }
            try {
                // the directory's recipients are read once the store is open
                listed = fromDirectory ? List.of() : readRecipients(file);
                policy = currentPolicy(settings);
            } catch (PolicyException e) {
                e.errors().forEach(error -> System.err.println("notices: " + error.renderBilingual()));
                return 2;
            } catch (IllegalArgumentException e) {
                System.err.println("notices: " + e.getMessage());
                return 2;
            } catch (IOException e) {
                System.err.println("notices: ファイルを読めません / cannot read the file: " + e);
                return 2;
            }
            NoticeTemplates templates = new NoticeTemplates(settings.notices().templatesDir());
            return LocalStore.with(STORE, s -> {
                List<Recipient> recipients = fromDirectory ? directoryRecipients(s, settings) : listed;
                Notices notices = new Notices(s.store(), templates, () -> policy,
                        GatewayConfiguration.noticeSettings(settings), Clock.systemUTC());
                int queued = 0;
                for (Recipient r : recipients) {
                    try {
                        if (dryRun) {
                            Notices.Rendered preview = notices.render(NoticeKind.MFA_REMINDER,
                                    NoticeLanguage.of(r.language()), r.name(), r.department(), List.of());
                            System.out.printf("送信予定 / would send to %s [%s]: %s%n", r.email(), preview.contentLanguage(),
                                    preview.subject());
                            continue;
                        }
                        String id = notices.mfaReminder(r.email(), r.name(), r.department(), r.language());
                        s.audit().record(CliAudit.entry("notice.mfa-reminder", r.email(), null, "queued " + id, true));
                        System.out.printf("%s 宛ての通知 %s をキューに入れました / %s queued for %s%n", r.email(), id, id, r.email());
                        queued++;
                    } catch (NoticeTemplateException e) {
                        // A template or setting problem fails every notice alike: stop at the first.
                        System.err.println("notices: " + e.getMessage());
                        return 1;
                    } catch (IllegalArgumentException e) {
                        // an address the notice's mail cannot carry, in the console's words
                        String japanese = e instanceof InvalidInput refused ? refused.messageJa() : e.getMessage();
                        System.err.printf("notices: %s:%d: キューに入れられません: %s / cannot queue it: %s%n", source(), r.line(),
                                japanese, e.getMessage());
                    }
                }
                if (!dryRun) {
                    s.audit().record(CliAudit.entry("notice.mfa-reminders", source(), null,
                            queued + " of " + recipients.size() + " queued", queued == recipients.size()));
                }
                int done = dryRun ? recipients.size() : queued;
                System.out.printf("%d 件中 %d 件のリマインダーを%s / %d of %d reminder(s) %s%n", recipients.size(), done,
                        dryRun ? "キューに入れます（ドライランのため何もしていません）" : "キューに入れました", done,
                        recipients.size(), dryRun ? "would be queued (dry run)" : "queued");
                return queued == recipients.size() || dryRun ? 0 : 1;
            });
        }

        private String source() {
            return fromDirectory ? "directory" : file.getFileName().toString();
        }
    }

    /** Active people with a console account and no TOTP enrolled, as reminder recipients (line = position). */
    static List<Recipient> directoryRecipients(LocalStore local, MamoriProperties settings) {
        List<Recipient> out = new ArrayList<>();
        io.mamori.console.directory.JdbcDirectory directory = new io.mamori.console.directory.JdbcDirectory(local.dataSource(), Clock.systemUTC());
        io.mamori.console.identity.ConsoleAccounts accounts = ConsoleConfiguration.accounts(local, directory, settings, Clock.systemUTC());
        for (io.mamori.console.directory.Person p : directory.list()) {
            if (p.active() && accounts.hasAccount(p.email()) && !accounts.totpEnrolled(p.email())) {
                out.add(new Recipient(out.size() + 1, p.email(), p.displayName(), p.department(), p.language()));
            }
        }
        return out;
    }

    @Command(name = "templates", mixinStandardHelpOptions = true,
            description = {"使用中の通知テンプレートを一覧表示して検査します。",
                "テンプレートは製品の既定、または mamori.notices.templates-dir のファイルです。"
                    + "誤りがあれば終了コード 1 です。",
                "List the notice templates in use and check them.",
                "A template is the shipped default or a file in mamori.notices.templates-dir. Exit code 1 if any"
                    + " is invalid."})
    static final class Templates implements Callable<Integer> {
        @Option(names = "--show", paramLabel = "KIND.LANG",
                description = "テンプレートを 1 つ表示（例: mfa-reminder.ja） / print one template, e.g. mfa-reminder.ja")
        String show;

        @Override
        public Integer call() throws Exception {
            MamoriProperties settings = Settings.load(List.of());
            NoticeTemplates templates = new NoticeTemplates(settings.notices().templatesDir());
            if (show != null) {
                int dot = show.lastIndexOf('.');
                Optional<NoticeKind> kind = dot > 0 ? NoticeKind.byFileName(show.substring(0, dot)) : Optional.empty();
                Optional<NoticeLanguage> language = dot > 0 ? NoticeLanguage.of(show.substring(dot + 1)) : Optional.empty();
                if (kind.isEmpty() || language.isEmpty()) {
                    System.err.println("notices templates: KIND.LANG の形で指定してください（例: mfa-reminder.ja、access-changed.en）"
                            + " / expected KIND.LANG, e.g. mfa-reminder.ja or access-changed.en");
                    return 2;
                }
                System.out.print(templates.read(kind.get(), language.get()));
                return 0;
            }
            for (NoticeKind kind : NoticeKind.values()) {
                for (NoticeLanguage language : NoticeLanguage.values()) {
                    System.out.printf("%-16s %-3s %s%n", kind.fileName(), language.tag(), templates.overridden(kind, language)
                            ? templates.file(kind, language) : "(製品の既定 / shipped default)");
                }
            }
            try {
                templates.checkAll();
                System.out.println("すべてのテンプレートは正常です / all templates OK");
                return 0;
            } catch (NoticeTemplateException e) {
                System.err.println(e.getMessage());
                return 1;
            }
        }
    }
}
