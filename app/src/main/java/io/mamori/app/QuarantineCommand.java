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
        description = {"Held and quarantined mail with its reasons, and employees' release requests.",
            "Release, delete and bulk release: see 'queue'. With the embedded H2 database the gateway must be stopped;",
            "use the REST API (/api/v1/quarantine) against a running gateway."},
        subcommands = {QuarantineCommand.ListHeld.class, QuarantineCommand.Requests.class})
final class QuarantineCommand extends CliHelp.Group {

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
            description = "List held and quarantined messages, newest first, with their reasons (ja / en).")
    static final class ListHeld implements Callable<Integer> {
        @Option(names = "--state", description = "HELD or QUARANTINED (default: both)")
        MessageState state;

        @Option(names = "--limit", defaultValue = "50")
        int limit;

        @Option(names = "--json", description = "print a JSON array")
        boolean json;

        @Override
        public Integer call() throws Exception {
            return QueueCommand.withStore(s -> {
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
                    System.out.printf("%s  %-11s %-10s %6.2f  %s  <%s> → %s%n  Subject: %s%n", m.id(), m.state(), m.action(),
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

    @Command(name = "requests", mixinStandardHelpOptions = true, description = "Employees' release requests.",
            subcommands = {ListRequests.class, Create.class, Approve.class, Deny.class})
    static final class Requests extends CliHelp.Group {
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List release requests, newest first.")
    static final class ListRequests implements Callable<Integer> {
        @Option(names = "--status", description = "PENDING, APPROVED or DENIED (default: all)")
        ReleaseRequests.Status status;

        @Option(names = "--limit", defaultValue = "50")
        int limit;

        @Option(names = "--json", description = "print a JSON array")
        boolean json;

        @Override
        public Integer call() throws Exception {
            return QueueCommand.withStore(s -> {
                List<QuarantineService.Request> list = ((Result.Ok<List<QuarantineService.Request>>) service(s)
                        .requests(status, limit, CliAudit.actor(), CliAudit.SOURCE)).value();
                if (json) {
                    System.out.println(json().writeValueAsString(list));
                    return 0;
                }
                for (QuarantineService.Request q : list) {
                    ReleaseRequest r = q.request();
                    System.out.printf("#%-6d %-8s %s  message %s  by %s%n", r.id(), r.status(), r.requestedAt(), r.messageId(),
                            r.requester());
                    if (!r.comment().isEmpty()) {
                        System.out.printf("    comment: %s%n", r.comment());
                    }
                    q.message().ifPresent(m -> System.out.printf("    <%s> %s [%s]%n", m.mailFrom(), m.subject(),
                            String.join(",", m.reasons().stream().map(QuarantineService.Reason::code).toList())));
                    if (r.status() != ReleaseRequests.Status.PENDING) {
                        System.out.printf("    %s by %s at %s%s%n", r.status().name().toLowerCase(Locale.ROOT), r.decidedBy(),
                                r.decidedAt(), r.decisionReason() == null ? "" : ": " + r.decisionReason());
                    }
                }
                System.out.printf("%d 件 / %d request(s)%n", list.size(), list.size());
                return 0;
            });
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Record an employee's request to release a message (the employee must be a recipient).")
    static final class Create implements Callable<Integer> {
        @Parameters(paramLabel = "MESSAGE_ID")
        String messageId;

        @Option(names = "--requester", required = true, description = "the employee's address")
        String requester;

        @Option(names = "--comment", defaultValue = "", description = "why the employee needs the message")
        String comment;

        @Override
        public Integer call() throws Exception {
            return QueueCommand.withStore(s -> {
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
            description = "Approve a pending request: the message is released for delivery.")
    static final class Approve implements Callable<Integer> {
        @Parameters(paramLabel = "ID")
        long id;

        @Option(names = "--comment", description = "a note for the record")
        String comment;

        @Override
        public Integer call() throws Exception {
            return QueueCommand.withStore(s -> {
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

    @Command(name = "deny", mixinStandardHelpOptions = true, description = "Deny a pending request with a reason.")
    static final class Deny implements Callable<Integer> {
        @Parameters(paramLabel = "ID")
        long id;

        @Option(names = "--reason", required = true, description = "the reason the employee will see")
        String reason;

        @Override
        public Integer call() throws Exception {
            return QueueCommand.withStore(s -> {
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
