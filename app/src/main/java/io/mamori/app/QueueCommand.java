package io.mamori.app;

import io.mamori.console.quarantine.QuarantineService;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.StoredMessage;
import io.mamori.core.store.StoredRecipient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "queue", mixinStandardHelpOptions = true,
        description = {"設定された保存先のキューを操作します。",
            "組み込み H2"
                + " データベースの場合はゲートウェイを停止してください（稼働中はファイルがロックされます）。"
                + "稼働中のゲートウェイには REST API（/api/v1/messages）を使います。",
            "Queue operations on the configured store.",
            "With the embedded H2 database the gateway must be stopped (the file is locked while it runs);"
                + " use the REST API (/api/v1/messages) against a running gateway."},
        subcommands = {QueueCommand.ListMessages.class, QueueCommand.Show.class, QueueCommand.Release.class,
            QueueCommand.Delete.class})
final class QueueCommand extends CliHelp.Group {

    /** While the gateway runs, its REST API does what this command does. */
    static final LocalStore.Command STORE = new LocalStore.Command("queue", "REST API（/api/v1/messages）",
            "the REST API (/api/v1/messages)");

    private static String noMessage(String id) {
        return "queue: メッセージ " + id + " はありません / no message " + id;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"メッセージを新しい順に一覧表示します。", "List messages, newest first."})
    static final class ListMessages implements Callable<Integer> {
        /** The words of queue show's labels. */
        private static final TerminalTable TABLE = new TerminalTable("  ", TerminalTable.Column.left("ID", "ID", 26),
                TerminalTable.Column.left("方向", "DIR", 8), TerminalTable.Column.left("状態", "STATE", 11),
                TerminalTable.Column.left("判定", "ACTION", 10), TerminalTable.Column.right("スコア", "SCORE", 6),
                TerminalTable.Column.left("送信者 → 宛先", "FROM → TO", 0));

        @Option(names = "--state", description = {"この状態のメッセージだけ: ${COMPLETION-CANDIDATES}",
            "only this state: ${COMPLETION-CANDIDATES}"})
        MessageState state;

        @Option(names = "--limit", defaultValue = "50",
                description = "表示する最大件数（既定値 ${DEFAULT-VALUE}） / at most this many (default ${DEFAULT-VALUE})")
        int limit;

        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> {
                List<StoredMessage> messages = s.store().list(state, limit);
                // who read which mail is recorded, as for the console's search and the quarantine list
                s.audit().record(CliAudit.entry("message.search", state == null ? "all states" : "state=" + state, null,
                        messages.size() + " message(s)", true));
                System.out.print(TABLE.headings());
                for (StoredMessage m : messages) {
                    System.out.print(TABLE.line(m.id(), m.direction().lowerName(), m.state(), m.action(),
                            String.format("%.2f", m.score()), "<" + m.mailFrom() + "> → "
                                    + String.join(",", m.recipients().stream().map(StoredRecipient::address).toList())));
                }
                System.out.printf("%d 件 / %d message(s)%n", messages.size(), messages.size());
                return 0;
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"メッセージ 1 通の属性と宛先を表示します。", "Show one message's metadata and recipients."})
    static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "メッセージの ID / the message's id")
        String id;

        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> s.store().find(id).map(m -> {
                s.audit().record(CliAudit.entry("message.view", m.id(), null, m.state().name(), true));
                System.out.printf("%-28s%s%n", "ID:", m.id());
                System.out.printf("%s%s%n", ScanCommand.label("方向", "Direction", 28), m.direction().lowerName());
                System.out.printf("%s%s%n", ScanCommand.label("状態", "State", 28), m.state());
                System.out.printf("%s%s (スコア / score %.2f) %s%n", ScanCommand.label("判定", "Verdict", 28), m.action(),
                        m.score(), m.findingCodes());
                System.out.printf("%s<%s>%n", ScanCommand.label("送信者", "From", 28), m.mailFrom());
                System.out.printf("%s%s%n", ScanCommand.label("クライアント", "Client", 28), m.clientAddress());
                System.out.printf("%s%s%n", ScanCommand.label("件名", "Subject", 28), m.subject());
                System.out.printf("%s%d%n", ScanCommand.label("サイズ", "Size", 28), m.size());
                System.out.printf("%s%s%n", ScanCommand.label("受信日時", "Received", 28), m.receivedAt());
                System.out.printf("%s%d%n", ScanCommand.label("配送試行", "Attempts", 28), m.attempts());
                System.out.printf("%s%s%n", ScanCommand.label("次回の試行", "Next", 28), m.nextAttemptAt());
                System.out.printf("%s%s%n", ScanCommand.label("最後のエラー", "Last error", 28), m.lastError());
                for (StoredRecipient r : m.recipients()) {
                    System.out.printf("  宛先 / rcpt %-40s %-9s %s%n", r.address(), r.status(),
                            r.lastReply() == null ? "" : r.lastReply());
                }
                return 0;
            }).orElseGet(() -> {
                s.audit().record(CliAudit.entry("message.view", id.length() > 100 ? id.substring(0, 100) : id, null,
                        "not found", false));
                System.err.println(noMessage(id));
                return 1;
            }));
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = {"HELD または QUARANTINED のメッセージを解放して配送します。",
                "ID で 1 通ずつ、または送信者（--sender、エンベロープ送信者）や検知コード（--finding）"
                    + "でまとめて解放します。まとめて解放するのは QUARANTINED のメッセージです。",
                "Release HELD or QUARANTINED messages for delivery.",
                "One by ID, or in bulk by sender (--sender, the envelope sender) or by finding code (--finding);"
                    + " the bulk forms act on QUARANTINED messages."})
    static final class Release implements Callable<Integer> {
        @Parameters(paramLabel = "ID", arity = "0..1", description = "解放するメッセージの ID / the id of the message to release")
        String id;

        @Option(names = "--sender", description = {"このエンベロープ送信者からの隔離メッセージをすべて解放",
            "release every quarantined message from this envelope sender"})
        String sender;

        @Option(names = "--finding", description = {"この検知コードの付いた隔離メッセージをすべて解放",
            "release every quarantined message with this finding code"})
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
                return LocalStore.with(STORE, s -> move(s, id, MessageState.QUEUED, "を解放しました", "released"));
            }
            return LocalStore.with(STORE, s -> {
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

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"メッセージを削除します（本文は消去し、記録は残します）。",
                "Delete a message (its content is erased; the record stays)."})
    static final class Delete implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "削除するメッセージの ID / the id of the message to delete")
        String id;

        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> move(s, id, MessageState.DELETED, "を削除しました", "deleted"));
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
