package io.mamori.core.lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.testing.ScriptedFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListFileTest {

    @TempDir
    Path dir;

    private static List<ListEntry> parse(String text) throws ListFile.Invalid {
        return ListFile.parse(text.getBytes(StandardCharsets.UTF_8), "lists.txt");
    }

    @Test
    void entriesCommentsAndBlankLinesAreReadWithTheirLineNumbers() throws Exception {
        List<ListEntry> entries = parse("""
                # 取引先 / partners
                allow sender partner.co.jp   # 経理部を含む

                block\tsender  spam.example
                block link https://evil.example/#not-a-comment
                block link https://evil.example/#not-a-comment
                """);
        assertThat(entries).extracting(ListEntry::kind, ListEntry::target, e -> e.pattern().text(), ListEntry::origin)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(ListKind.ALLOW, ListTarget.SENDER, "partner.co.jp", "file:lists.txt:2"),
                        org.assertj.core.groups.Tuple.tuple(ListKind.BLOCK, ListTarget.SENDER, "spam.example", "file:lists.txt:4"),
                        org.assertj.core.groups.Tuple.tuple(ListKind.BLOCK, ListTarget.LINK, "https://evil.example/", "file:lists.txt:5"));
    }

    @Test
    void everyBadLineIsReportedWithItsNumber() {
        assertThatThrownBy(() -> parse("""
                block sender spam.example
                alow sender partner.co.jp
                block sender co.jp
                allow link evil.example
                block sender
                """)).isInstanceOfSatisfying(ListFile.Invalid.class, e -> {
                    assertThat(e.errors()).extracting(ListFile.Error::render).containsExactly(
                            "lists.txt:2: unknown list 'alow'; expected allow or block",
                            "lists.txt:3: 'co.jp' is a public suffix; it would match every domain under it",
                            "lists.txt:4: allow entries are for senders only",
                            "lists.txt:5: expected '<allow|block> <sender|link> <value>', got 2 word(s)");
                    assertThat(e.errors()).extracting(ListFile.Error::renderJa).containsExactly(
                            "lists.txt:2: 不明なリスト 'alow' です。allow か block を指定してください",
                            "lists.txt:3: 'co.jp' はパブリックサフィックスです。その下のすべてのドメインに一致してしまいます",
                            "lists.txt:4: 許可リスト (allow) には送信者 (sender) だけを登録できます",
                            "lists.txt:5: '<allow|block> <sender|link> <値>' の 3 語で書いてください（2 語あります）");
                    assertThat(e.errors().get(1).message("ja")).isEqualTo(
                            "'co.jp' はパブリックサフィックスです。その下のすべてのドメインに一致してしまいます");
                    assertThat(e.errors().get(1).message("en")).isEqualTo(
                            "'co.jp' is a public suffix; it would match every domain under it");
                    assertThat(e.getMessage()).as("what a refused start shows: every line in Japanese, then English")
                            .isEqualTo(e.errors().stream().map(ListFile.Error::renderBilingual)
                                    .collect(java.util.stream.Collectors.joining("\n")))
                            .startsWith("lists.txt:2: 不明なリスト 'alow' です。allow か block を指定してください"
                                    + " / unknown list 'alow'; expected allow or block\n");
                });
    }

    @Test
    void pastAHundredBadLinesTheRestAreCountedNotDropped() {
        String bad = "alow sender partner.co.jp\n".repeat(130);
        assertThatThrownBy(() -> parse(bad)).isInstanceOfSatisfying(ListFile.Invalid.class, e -> {
            assertThat(e.errors()).hasSize(101);
            assertThat(e.errors().get(100).render()).isEqualTo("lists.txt:131: and 30 more line(s) with problems, not listed");
            assertThat(e.errors().get(100).renderJa()).isEqualTo("lists.txt:131: ほかに問題のある行が 30 行あります（表示していません）");
        });
    }

    @Test
    void aFileThatIsNotUtf8IsReportedAtItsLine() {
        byte[] sjis = "block sender a.example\nblock sender 例え.jp\n".getBytes(java.nio.charset.Charset.forName("Shift_JIS"));
        assertThatThrownBy(() -> ListFile.parse(sjis, "lists.txt")).hasMessage(
                "lists.txt:2: UTF-8 として正しくありません。ファイルを UTF-8 で保存してください / not valid UTF-8; save the file as UTF-8");
    }

    @Test
    void theWatcherAppliesAValidEditAndKeepsTheLastGoodListOnABadOne() throws Exception {
        Path file = dir.resolve("lists.txt");
        Files.writeString(file, "block sender spam.example\n");
        AtomicReference<Optional<Path>> path = new AtomicReference<>(Optional.of(file));
        ListFileWatcher watcher = new ListFileWatcher(path::get);
        assertThat(watcher.get()).extracting(e -> e.pattern().text()).containsExactly("spam.example");

        Files.writeString(file, "block sender spam.example\nblock link evil.example\n");
        watcher.poll();
        assertThat(watcher.get()).as("not applied until it has stayed the same for a poll").hasSize(1);
        watcher.poll();
        assertThat(watcher.get()).extracting(e -> e.pattern().text()).containsExactly("spam.example", "evil.example");

        Files.writeString(file, "block sender spam.example\nblock lnk evil.example\n");
        watcher.poll();
        watcher.poll();
        assertThat(watcher.get()).extracting(e -> e.pattern().text()).containsExactly("spam.example", "evil.example");
        assertThat(watcher.lastErrors()).extracting(ListFile.Error::renderBilingual).containsExactly(
                "lists.txt:2: 不明な対象 'lnk' です。sender か link を指定してください / unknown target 'lnk'; expected sender or link");

        Files.delete(file);
        watcher.poll();
        watcher.poll();
        assertThat(watcher.get()).as("a deleted file keeps the last good list").hasSize(2);

        path.set(Optional.empty());
        watcher.poll();
        watcher.poll();
        assertThat(watcher.get()).as("no file configured any more").isEmpty();
    }

    @Test
    void anEmptiedFileIsAppliedWithAWarningInBothLanguages() throws Exception {
        Path file = dir.resolve("lists.txt");
        Files.writeString(file, "block sender spam.example\nblock link evil.example\n");
        ListFileWatcher watcher = new ListFileWatcher(() -> Optional.of(file));
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ListFileWatcher.class);
        logs.start();
        log.addAppender(logs);
        try {
            Files.writeString(file, "# nothing left\n");
            watcher.poll();
            watcher.poll();
        } finally {
            log.detachAppender(logs);
        }

        assertThat(watcher.get()).isEmpty();
        assertThat(logs.list).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).singleElement().asString()
                .contains("no entries (2 before)", "変更前 2 件");
    }

    @Test
    void theWatcherAppliesTheContentThatSettledNotAWriteBegunAfterIt() throws Exception {
        String settled = "block sender spam.example\nblock link evil.example\n";
        try (ScriptedFile changing = ScriptedFile.create(dir.resolve("lists.txt"))) {
            changing.then("block sender spam.example\n", settled, settled, "block sender spam.example\nblock link evil.ex");
            ListFileWatcher watcher = new ListFileWatcher(() -> Optional.of(changing.path()));
            watcher.poll();
            watcher.poll();
            assertThat(watcher.get()).extracting(e -> e.pattern().text()).containsExactly("spam.example", "evil.example");
        }
    }

    @Test
    void theWatcherKeepsPollingAfterAPollFailsWithAnError() throws Exception {
        Path file = dir.resolve("lists.txt");
        Files.writeString(file, "block sender spam.example\n");
        AtomicInteger calls = new AtomicInteger();
        Supplier<Optional<Path>> path = () -> {
            if (calls.incrementAndGet() == 2) {
                throw new OutOfMemoryError("thrown by a test path");
            }
            return Optional.of(file);
        };
        try (ListFileWatcher watcher = new ListFileWatcher(path).start(Duration.ofMillis(20))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (calls.get() < 2) {
                assertThat(System.nanoTime()).as("first poll within 10 s").isLessThan(deadline);
                Thread.sleep(10);
            }
            Files.writeString(file, "block sender spam.example\nblock link evil.example\n");
            while (watcher.get().size() < 2) {
                assertThat(System.nanoTime()).as("the edit applied within 10 s").isLessThan(deadline);
                Thread.sleep(10);
            }
        }
    }

    @Test
    void aBadFileAtStartIsRefused() throws Exception {
        Path file = dir.resolve("lists.txt");
        Files.writeString(file, "block sender\n");
        assertThatThrownBy(() -> new ListFileWatcher(() -> Optional.of(file))).isInstanceOf(ListFile.Invalid.class)
                .hasMessage("lists.txt:1: '<allow|block> <sender|link> <値>' の 3 語で書いてください（2 語あります）"
                        + " / expected '<allow|block> <sender|link> <value>', got 2 word(s)");
        assertThatThrownBy(() -> new ListFileWatcher(() -> Optional.of(dir.resolve("missing.txt"))))
                .hasMessageStartingWith("missing.txt: ファイルを読めません（NoSuchFileException")
                .hasMessageContaining(" / cannot read the file (NoSuchFileException");
    }
}
