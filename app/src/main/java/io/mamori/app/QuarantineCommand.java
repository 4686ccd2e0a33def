package io.mamori.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mamori.console.quarantine.QuarantineService;
import io.mamori.console.quarantine.QuarantineService.Result;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.store.MessageState;
import io.mamori.gateway.quarantine.ReleaseRequests;
import io.mamori.gateway.quarantine.ReleaseRequests.ReleaseRequest;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "quarantine", mixinStandardHelpOptions = true,
        description = {"保留・隔離されたメールとその理由、従業員からの解放申請を扱います。",
            "解放、削除、一括解放は 'queue' を使います。"
                + "組み込み H2 データベースの場合はゲートウェイを停止してください。"
                + "稼働中のゲートウェイには REST API（/api/v1/quarantine）を使います。",
            "Held and quarantined mail with its reasons, and employees' release requests.",
            "Release, delete and bulk release: see 'queue'. With the embedded H2 database the gateway must be"
                + " stopped; use the REST API (/api/v1/quarantine) against a running gateway."},
        subcommands = {QuarantineCommand.ListHeld.class, QuarantineCommand.Requests.class})
final class QuarantineCommand extends CliHelp.Group {

    /** While the gateway runs, its REST API does what this command does. */
    static final LocalStore.Command STORE = new LocalStore.Command("quarantine", "REST API（/api/v1/quarantine）",
            "the REST API (/api/v1/quarantine)");

    static QuarantineService service(LocalStore s) throws java.io.IOException {
        Clock clock = Clock.systemUTC();
        return new QuarantineService(s.store(), new ReleaseRequests(s.dataSource(), clock), FindingCatalogue.builtIn(),
                s.audit(), clock, s.learning());
    }

    static ObjectMapper json() {
        return new ObjectMapper().findAndRegisterModules().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    /** Prints a refusal and returns its exit code: 1 for not found, refused or conflicting; 2 for invalid input. */
    static int refused(Result.Refused<?> r) {
        System.err.println("quarantine: " + r.message());
        return r.refusal() == QuarantineService.Refusal.INVALID ? 2 : 1;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"保留・隔離されたメッセージを新しい順に、理由（日本語 / 英語）とともに一覧表示します。",
                "List held and quarantined messages, newest first, with their reasons (ja / en)."})
    static final class ListHeld implements Callable<Integer> {
        @Option(names = "--state", description = "HELD か QUARANTINED（既定: 両方） / HELD or QUARANTINED (default: both)")
        MessageState state;

        @Option(names = "--limit", defaultValue = "50",
                description = "表示する最大件数（既定値 ${DEFAULT-VALUE}） / at most this many (default ${DEFAULT-VALUE})")
        int limit;

        @Option(names = "--json", description = "JSON 配列で出力 / print a JSON array")
        boolean json;

        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> {
                Result<List<QuarantineService.Message>> r = service(s).list(state, limit, CliAudit.actor(), CliAudit.SOURCE);
                if (r instanceof Result.Refused<?> refusal) {
                    return refused(refusal);
                }
                List<QuarantineService.Message> messages = ((Result.Ok<List<QuarantineService.Message>>) r).value();
                if (json) {
                    System.out.println(json().writeValueAsString(messages));
                    return 0;
                }
                for (QuarantineService.Message m : messages) {
                    System.out.printf("%s  %-11s %-10s %6.2f  %s  <%s> → %s%n  件名 / Subject: %s%n", m.id(), m.state(), m.action(),
                            m.score(), m.receivedAt(), m.mailFrom(), String.join(",", m.recipients()), m.subject());
                    for (QuarantineService.Reason reason : m.reasons()) {
                        System.out.printf("    %-26s %s / %s%n", reason.code(), reason.reasonJa(), reason.reasonEn());
                    }
                }
                System.out.printf("%d 件 / %d message(s)%n", messages.size(), messages.size());
                return 0;
            });
        }
    }

    @Command(name = "requests", mixinStandardHelpOptions = true,
            description = {"従業員からの解放申請を扱います。", "Employees' release requests."},
            subcommands = {ListRequests.class, Create.class, Approve.class, Deny.class})
    static final class Requests extends CliHelp.Group {
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"解放申請を新しい順に一覧表示します。", "List release requests, newest first."})
    static final class ListRequests implements Callable<Integer> {
        @Option(names = "--status", description = {"PENDING、APPROVED、DENIED のいずれか（既定: すべて）",
            "PENDING, APPROVED or DENIED (default: all)"})
        ReleaseRequests.Status status;

        @Option(names = "--limit", defaultValue = "50",
                description = "表示する最大件数（既定値 ${DEFAULT-VALUE}） / at most this many (default ${DEFAULT-VALUE})")
        int limit;

        @Option(names = "--json", description = "JSON 配列で出力 / print a JSON array")
        boolean json;

        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> {
                List<QuarantineService.Request> list = ((Result.Ok<List<QuarantineService.Request>>) service(s)
                        .requests(status, limit, CliAudit.actor(), CliAudit.SOURCE)).value();
                if (json) {
                    System.out.println(json().writeValueAsString(list));
                    return 0;
                }
                for (QuarantineService.Request q : list) {
                    ReleaseRequest r = q.request();
                    System.out.printf("#%-6d %-8s %s  メッセージ / message %s  申請者 / by %s%n", r.id(), r.status(),
                            r.requestedAt(), r.messageId(), r.requester());
                    if (!r.comment().isEmpty()) {
                        System.out.printf("    コメント / comment: %s%n", r.comment());
                    }
                    q.message().ifPresent(m -> System.out.printf("    <%s> %s [%s]%n", m.mailFrom(), m.subject(),
                            String.join(",", m.reasons().stream().map(QuarantineService.Reason::code).toList())));
                    if (r.status() != ReleaseRequests.Status.PENDING) {
                        System.out.printf("    %s / %s: %s, %s%s%n",
                                r.status() == ReleaseRequests.Status.APPROVED ? "承認" : "却下",
                                r.status().name().toLowerCase(Locale.ROOT), r.decidedBy(), r.decidedAt(),
                                r.decisionReason() == null ? "" : ": " + r.decisionReason());
                    }
                }
                System.out.printf("%d 件 / %d request(s)%n", list.size(), list.size());
                return 0;
            });
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"従業員からのメッセージ解放の申請を登録します（申請者はそのメッセージの宛先である必要があります）。",
                "Record an employee's request to release a message (the employee must be a recipient)."})
    static final class Create implements Callable<Integer> {
        @Parameters(paramLabel = "MESSAGE_ID", description = "解放を申請するメッセージの ID / the id of the message to release")
        String messageId;

        @Option(names = "--requester", required = true, description = "申請する従業員のメールアドレス / the employee's address")
        String requester;

        @Option(names = "--comment", defaultValue = "", description = {"従業員がそのメッセージを必要とする理由",
            "why the employee needs the message"})
        String comment;

        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> {
                Result<ReleaseRequest> r = service(s).requestRelease(messageId, requester, comment, CliAudit.actor(), CliAudit.SOURCE);
                if (r instanceof Result.Refused<?> refusal) {
                    return refused(refusal);
                }
                long requestId = ((Result.Ok<ReleaseRequest>) r).value().id();
                System.out.printf("解放申請 #%d を登録しました / release request #%d recorded%n", requestId, requestId);
                return 0;
            });
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = {"保留中の申請を承認します。メッセージは解放されて配送されます。",
                "Approve a pending request: the message is released for delivery."})
    static final class Approve implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "申請の番号 / the request's number")
        long id;

        @Option(names = "--comment", description = "記録に残すメモ / a note for the record")
        String comment;

        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> {
                Result<ReleaseRequest> r = service(s).approve(id, comment, CliAudit.actor(), CliAudit.SOURCE);
                if (r instanceof Result.Refused<?> refusal) {
                    return refused(refusal);
                }
                String messageId = ((Result.Ok<ReleaseRequest>) r).value().messageId();
                System.out.printf("申請 #%d を承認し、メッセージ %s を解放しました / request #%d approved; message %s released%n", id,
                        messageId, id, messageId);
                return 0;
            });
        }
    }

    @Command(name = "deny", mixinStandardHelpOptions = true,
            description = {"保留中の申請を理由を付けて却下します。", "Deny a pending request with a reason."})
    static final class Deny implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "申請の番号 / the request's number")
        long id;

        @Option(names = "--reason", required = true, description = "従業員に表示する却下の理由 / the reason the employee will see")
        String reason;

        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> {
                Result<ReleaseRequest> r = service(s).deny(id, reason, CliAudit.actor(), CliAudit.SOURCE);
                if (r instanceof Result.Refused<?> refusal) {
                    return refused(refusal);
                }
                System.out.printf("申請 #%d を却下しました / request #%d denied%n", id, id);
                return 0;
            });
        }
    }
}
