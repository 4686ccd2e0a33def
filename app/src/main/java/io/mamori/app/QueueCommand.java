package io.mamori.app;

import io.mamori.console.quarantine.QuarantineService;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.StoredMessage;
import io.mamori.core.store.StoredRecipient;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "queue", mixinStandardHelpOptions = true,
        description = {"Queue operations on the configured store.",
            "With the embedded H2 database the gateway must be stopped (the file is locked while it runs);",
            "use the REST API (/api/v1/messages) against a running gateway."},
        subcommands = {QueueCommand.ListMessages.class, QueueCommand.Show.class, QueueCommand.Release.class,
            QueueCommand.Delete.class})
final class QueueCommand extends CliHelp.Group {

    interface StoreAction {
        int apply(LocalStore store) throws Exception;
    }

    /** The embedded H2 database is locked by a running gateway. */
    static final String DATABASE_IN_USE = "組み込みデータベースは稼働中のゲートウェイが使用中です。ゲートウェイを停止するか、"
            + "REST API を使ってください / the embedded database is in use by a running gateway; stop it or use the REST API";

    static int withStore(StoreAction action) throws Exception {
        try (LocalStore store = LocalStore.open(Settings.load(List.of()), Clock.systemUTC())) {
            return action.apply(store);
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).contains("already in use") || causeMentions(e, "already in use")) {
                System.err.println("queue: " + DATABASE_IN_USE);
                return 3;
            }
            throw e;
        }
    }

    private static String noMessage(String id) {
        return "queue: メッセージ " + id + " はありません / no message " + id;
    }

    static boolean causeMentions(Throwable t, String text) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (String.valueOf(c.getMessage()).contains(text)) {
                return true;
            }
        }
        return false;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List messages, newest first.")
    static final class ListMessages implements Callable<Integer> {
        @Option(names = "--state", description = "only this state: ${COMPLETION-CANDIDATES}")
        MessageState state;

        @Option(names = "--limit", defaultValue = "50")
        int limit;

        @Override
        public Integer call() throws Exception {
            return withStore(s -> {
                List<StoredMessage> messages = s.store().list(state, limit);
                System.out.printf("%-26s %-8s %-11s %-10s %6s  %s%n", "ID", "DIR", "STATE", "ACTION", "SCORE", "FROM → TO");
                for (StoredMessage m : messages) {
                    System.out.printf("%-26s %-8s %-11s %-10s %6.2f  <%s> → %s%n", m.id(), m.direction().lowerName(),
                            m.state(), m.action(), m.score(), m.mailFrom(),
                            String.join(",", m.recipients().stream().map(StoredRecipient::address).toList()));
                }
                System.out.printf("%d 件 / %d message(s)%n", messages.size(), messages.size());
                return 0;
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one message's metadata and recipients.")
    static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            return withStore(s -> s.store().find(id).map(m -> {
                System.out.printf("ID:        %s%nDirection: %s%nState:     %s%nVerdict:   %s (score %.2f) %s%n"
                                + "From:      <%s>%nClient:    %s%nSubject:   %s%nSize:      %d%nReceived:  %s%n"
                                + "Attempts:  %d%nNext:      %s%nLast error: %s%n",
                        m.id(), m.direction().lowerName(), m.state(), m.action(), m.score(), m.findingCodes(),
                        m.mailFrom(), m.clientAddress(), m.subject(), m.size(), m.receivedAt(), m.attempts(),
                        m.nextAttemptAt(), m.lastError());
                for (StoredRecipient r : m.recipients()) {
                    System.out.printf("  rcpt %-40s %-9s %s%n", r.address(), r.status(), r.lastReply() == null ? "" : r.lastReply());
                }
                return 0;
            }).orElseGet(() -> {
                System.err.println(noMessage(id));
                return 1;
            }));
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = {"Release HELD or QUARANTINED messages for delivery: one by ID, or in bulk by sender",
                "(--sender, the envelope sender) or by finding code (--finding); the bulk forms act on QUARANTINED."})
    static final class Release implements Callable<Integer> {
        @Parameters(paramLabel = "ID", arity = "0..1")
        String id;

        @Option(names = "--sender", description = "release every quarantined message from this envelope sender")
        String sender;

        @Option(names = "--finding", description = "release every quarantined message with this finding code")
        String finding;

        @Override
        public Integer call() throws Exception {
            int ways = (id != null ? 1 : 0) + (sender != null ? 1 : 0) + (finding != null ? 1 : 0);
            if (ways != 1) {
                System.err.println("queue release: ID、--sender、--finding のどれか 1 つを指定してください"
                        + " / give exactly one of ID, --sender or --finding");
                return 2;
            }
            if (id != null) {
                return withStore(s -> move(s, id, MessageState.QUEUED, "を解放しました", "released"));
            }
            return withStore(s -> {
                QuarantineService.Result<QuarantineService.BulkRelease> r = QuarantineCommand.service(s)
                        .releaseBulk(sender, finding, CliAudit.actor(), CliAudit.SOURCE);
                if (r instanceof QuarantineService.Result.Refused<?> refused) {
                    System.err.println("queue release: " + refused.message());
                    return 2;
                }
                QuarantineService.BulkRelease done = ((QuarantineService.Result.Ok<QuarantineService.BulkRelease>) r).value();
                done.released().forEach(released -> System.out.printf("%s を解放しました / %s released%n", released, released));
                done.failed().forEach(failed -> System.err.printf("queue: %s を解放できませんでした / %s could not be released%n",
                        failed, failed));
                System.out.printf("%d 件を解放しました / %d message(s) released%n", done.released().size(), done.released().size());
                if (done.more()) {
                    System.err.println("queue release: 10,000 件を確認したところで止めました。古いメッセージが残っている可能性があります。"
                            + "もう一度実行してください / stopped after 10,000 messages looked at; older ones may remain: run it again");
                }
                return 0;
            });
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a message (its content is erased; the record stays).")
    static final class Delete implements Callable<Integer> {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            return withStore(s -> move(s, id, MessageState.DELETED, "を削除しました", "deleted"));
        }
    }

    /** Releases or deletes one message through the quarantine service, which records it in the audit trail. */
    private static int move(LocalStore s, String id, MessageState to, String doneJa, String doneEn)
            throws java.io.IOException {
        QuarantineService service = QuarantineCommand.service(s);
        QuarantineService.Result<QuarantineService.Message> r = to == MessageState.DELETED
                ? service.delete(id, CliAudit.actor(), CliAudit.SOURCE)
                : service.release(id, CliAudit.actor(), CliAudit.SOURCE);
        if (r instanceof QuarantineService.Result.Refused<?> refused) {
            System.err.println(refused.refusal() == QuarantineService.Refusal.NOT_FOUND ? noMessage(id)
                    : "queue: " + id + ": " + refused.message());
            return 1;
        }
        System.out.printf("%s %s / %s %s%n", id, doneJa, id, doneEn);
        return 0;
    }
}
