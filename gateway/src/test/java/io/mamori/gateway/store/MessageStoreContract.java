package io.mamori.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.store.MessageQuery;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.NewMessage;
import io.mamori.core.store.RecipientStatus;
import io.mamori.core.store.Spool;
import io.mamori.core.store.StoredMessage;
import io.mamori.core.store.StoredRecipient;
import io.mamori.core.store.Traffic;
import io.mamori.gateway.crypto.MasterKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link io.mamori.core.store.MessageStore} contract, run against each supported database by a
 * subclass that says how to reach a fresh, empty database.
 */
abstract class MessageStoreContract {

    static final String PREFIX = "Received: from mx.example.org by mamori; Sat, 28 Nov 2026 04:00:00 +0000\r\n"
            + "X-Mamori-Verdict: DELIVER; score=0.00; findings=none\r\n";
    static final String MARKER = "MAMORI-PLAINTEXT-MARKER-0x5eed";

    @TempDir
    Path dir;
    final TestClock clock = new TestClock(Instant.parse("2026-11-28T04:00:00.123456789Z"));
    HikariDataSource dataSource;
    MasterKeys keys;
    JdbcMessageStore store;

    /** Connection settings of a fresh database for one test. */
    abstract io.mamori.gateway.store.Databases.Settings freshDatabase(Path dir) throws Exception;

    /** Removes what {@link #freshDatabase} created, after the pool is closed. */
    void dropDatabase() throws Exception {
    }

    @BeforeEach
    void openStore() throws Exception {
        dataSource = Databases.open(freshDatabase(dir));
        keys = MasterKeys.openOrCreate(dir.resolve("keys"));
        store = newStore();
    }

    @AfterEach
    void closeStore() throws Exception {
        store.close();
        dataSource.close();
        dropDatabase();
    }

    /** Messages up to this size stay in the database; the file-layout tests set 0 through {@link #useFiles()}. */
    int inlineLimit = JdbcMessageStore.Settings.DEFAULT_INLINE_LIMIT;

    JdbcMessageStore newStore() throws IOException {
        JdbcMessageStore.Settings under = JdbcMessageStore.Settings.under(dir);
        return new JdbcMessageStore(dataSource, keys, new JdbcMessageStore.Settings(under.spoolDir(), under.messageDir(),
                under.maxBatch(), under.batchWindow(), inlineLimit), clock);
    }

    /** Reopens the store so that every message's content goes to a file. */
    void useFiles() throws IOException {
        store.close();
        inlineLimit = 0;
        store = newStore();
    }

    @Test
    void smallMessagesStayInTheDatabaseEncryptedAndLargeOnesGoToFiles() throws Exception {
        int limit = JdbcMessageStore.Settings.DEFAULT_INLINE_LIMIT;
        byte[] atLimit = ("Subject: x\r\n\r\n" + MARKER).getBytes(StandardCharsets.US_ASCII);
        atLimit = java.util.Arrays.copyOf(atLimit, limit);
        java.util.Arrays.fill(atLimit, 16 + MARKER.length(), limit, (byte) 'a');
        byte[] overLimit = java.util.Arrays.copyOf(atLimit, limit + 1);
        overLimit[limit] = 'b';

        StoredMessage inline = commit(atLimit, MessageState.QUEUED, "s", "a@example.jp");
        StoredMessage file = commit(overLimit, MessageState.QUEUED, "s", "a@example.jp");

        assertThat(filesUnder(dir.resolve("messages"))).containsExactly(dir.resolve("messages").resolve(file.id()));
        assertThat(filesUnder(dir.resolve("spool"))).isEmpty();
        byte[] stored = storedContent(inline.id());
        assertThat(stored).isNotNull();
        assertThat(indexOf(stored, MARKER.getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
        assertThat(storedContent(file.id())).isNull();

        store.close();
        store = newStore();
        assertThat(read(inline.id())).isEqualTo(concat(PREFIX.getBytes(StandardCharsets.US_ASCII), atLimit));
        assertThat(read(file.id())).isEqualTo(concat(PREFIX.getBytes(StandardCharsets.US_ASCII), overLimit));
        assertThat(store.find(inline.id()).orElseThrow().size()).isEqualTo(PREFIX.length() + limit);

        assertThat(store.transition(inline.id(), MessageState.DELETED)).isTrue();
        assertThat(storedContent(inline.id())).isNull();
        assertThatThrownBy(() -> store.openContent(inline.id())).isInstanceOf(NoSuchFileException.class);
        assertThat(read(file.id())).endsWith(new byte[] {'b'});
    }

    @Test
    void aSpoolThatOutgrowsTheLimitWhileWrittenReadsBackWhole() throws Exception {
        int limit = JdbcMessageStore.Settings.DEFAULT_INLINE_LIMIT;
        Random random = new Random(7);
        byte[] body = new byte[limit * 3 + 123];
        random.nextBytes(body);
        StoredMessage stored;
        try (Spool spool = store.openSpool()) {
            try (OutputStream out = spool.output()) {
                for (int off = 0; off < body.length; off += 1000) {
                    out.write(body, off, Math.min(1000, body.length - off));
                }
            }
            assertThat(filesUnder(dir.resolve("spool"))).hasSize(1);
            try (InputStream in = spool.openInput()) {
                assertThat(in.readAllBytes()).isEqualTo(body);
            }
            stored = store.commit(spool, message(MessageState.QUEUED, "s", "a@example.jp"), PREFIX);
        }
        assertThat(read(stored.id())).isEqualTo(concat(PREFIX.getBytes(StandardCharsets.US_ASCII), body));
        assertThat(filesUnder(dir.resolve("messages"))).hasSize(1);
    }

    /** The ciphertext in message_content, or null when the message has none there. */
    byte[] storedContent(String id) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT content FROM message_content WHERE message_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    @Test
    void committedContentComesBackWithTheHeaderPrefixInFront() throws Exception {
        byte[] body = ("Subject: =?UTF-8?B?5Lya6K2w?=\r\n\r\n会議の資料です。\r\n").getBytes(StandardCharsets.UTF_8);
        StoredMessage stored = commit(body, MessageState.QUEUED, "会議", "a@example.jp", "b@example.jp");

        assertThat(read(stored.id())).isEqualTo(concat(PREFIX.getBytes(StandardCharsets.US_ASCII), body));
        assertThat(stored.size()).isEqualTo(PREFIX.length() + body.length);
        StoredMessage found = store.find(stored.id()).orElseThrow();
        assertThat(found).isEqualTo(stored);
        assertThat(found.subject()).isEqualTo("会議");
        assertThat(found.direction()).isEqualTo(Direction.INBOUND);
        assertThat(found.mailFrom()).isEqualTo("sender@example.org");
        assertThat(found.action()).isEqualTo("TAG");
        assertThat(found.findingCodes()).isEqualTo("ATTACHMENT_EXECUTABLE,MIME_MALFORMED");
        assertThat(found.score()).isEqualTo(4.5);
        assertThat(found.receivedAt()).isEqualTo(Instant.parse("2026-11-28T04:00:00.123456Z"));
        assertThat(found.nextAttemptAt()).isEqualTo(found.receivedAt());
        assertThat(found.recipients()).containsExactly(
                new StoredRecipient("a@example.jp", RecipientStatus.PENDING, null),
                new StoredRecipient("b@example.jp", RecipientStatus.PENDING, null));
        assertThat(stored.id()).hasSize(26).matches("[0-9A-HJKMNP-TV-Z]{26}");
    }

    @Test
    void tenMegabyteMessageComesBackByteForByte() throws Exception {
        Random random = new Random(42);
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        written.update(PREFIX.getBytes(StandardCharsets.US_ASCII));
        long total = 10L * 1024 * 1024;
        StoredMessage stored;
        try (Spool spool = store.openSpool()) {
            try (OutputStream out = spool.output()) {
                byte[] chunk = new byte[65_521];
                for (long left = total; left > 0; left -= chunk.length) {
                    random.nextBytes(chunk);
                    int n = (int) Math.min(chunk.length, left);
                    out.write(chunk, 0, n);
                    written.update(chunk, 0, n);
                }
            }
            stored = store.commit(spool, message(MessageState.QUEUED, "big", "a@example.jp"), PREFIX);
        }
        MessageDigest readBack = MessageDigest.getInstance("SHA-256");
        long length = 0;
        try (InputStream in = store.openContent(stored.id())) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                readBack.update(buffer, 0, n);
                length += n;
            }
        }
        assertThat(length).isEqualTo(PREFIX.length() + total);
        assertThat(readBack.digest()).isEqualTo(written.digest());
        assertThat(stored.size()).isEqualTo(PREFIX.length() + total);
    }

    @Test
    void contentIsNeverPlaintextOnDisk() throws Exception {
        useFiles();
        byte[] body = ("Subject: x\r\n\r\n" + MARKER.repeat(200)).getBytes(StandardCharsets.US_ASCII);
        Spool spool = store.openSpool();
        try (OutputStream out = spool.output()) {
            out.write(body);
        }
        assertThat(filesUnder(dir.resolve("spool"))).hasSize(1);
        assertNoFileContains(dir.resolve("spool"), MARKER);
        StoredMessage stored = store.commit(spool, message(MessageState.QUEUED, "s", "a@example.jp"), PREFIX);

        assertThat(filesUnder(dir.resolve("messages"))).hasSize(1);
        assertNoFileContains(dir.resolve("messages"), MARKER);
        assertThat(new String(read(stored.id()), StandardCharsets.US_ASCII)).contains(MARKER);
    }

    @Test
    void spoolReadsBackWhatWasWrittenAndDiscardLeavesNothing() throws Exception {
        Spool spool = store.openSpool();
        try (OutputStream out = spool.output()) {
            out.write("hello\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        try (InputStream in = spool.openInput()) {
            assertThat(in.readAllBytes()).isEqualTo("hello\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(spool.size()).isEqualTo(7);
        spool.discard();
        spool.discard();
        assertThat(filesUnder(dir.resolve("spool"))).isEmpty();
        assertThatThrownBy(() -> store.commit(spool, message(MessageState.QUEUED, "s", "a@example.jp"), PREFIX))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aMessageEntersTheQueueAtItsCommitOrAtTheReleaseThatQueuesIt() throws Exception {
        StoredMessage queued = commit(bytes("q"), MessageState.QUEUED, "s", "a@example.jp");
        StoredMessage quarantined = commit(bytes("x"), MessageState.QUARANTINED, "s", "a@example.jp");
        Instant committed = Instant.parse("2026-11-28T04:00:00.123456Z");
        assertThat(queued.queuedAt()).isEqualTo(committed);
        assertThat(store.find(queued.id()).orElseThrow().queuedAt()).isEqualTo(committed);

        clock.advance(Duration.ofDays(6));   // an analyst releases it after six days in quarantine
        assertThat(store.transition(quarantined.id(), MessageState.QUEUED)).isTrue();
        assertThat(store.claimDue(clock.instant(), 10, Duration.ofMinutes(5))).hasSize(2);
        StoredMessage attempted = store.recordAttempt(quarantined.id(), clock.instant().plus(Duration.ofMinutes(5)),
                List.of(new StoredRecipient("a@example.jp", RecipientStatus.PENDING, "451 4.7.1 try later")), clock.instant(),
                null).orElseThrow();

        Instant released = committed.plus(Duration.ofDays(6));
        assertThat(attempted.queuedAt()).isEqualTo(released);
        assertThat(attempted.receivedAt()).isEqualTo(committed);
        assertThat(store.find(quarantined.id()).orElseThrow().queuedAt()).isEqualTo(released);
        assertThat(store.find(queued.id()).orElseThrow().queuedAt()).as("a claim does not move it").isEqualTo(committed);
    }

    @Test
    void lifeCycleAllowsOnlyTheDocumentedTransitions() throws Exception {
        StoredMessage held = commit(bytes("held"), MessageState.HELD, "s", "a@example.jp");
        assertThat(held.nextAttemptAt()).isNull();
        assertThat(store.transition(held.id(), MessageState.DELIVERED)).isFalse();
        assertThat(store.transition(held.id(), MessageState.RECEIVED)).isFalse();
        clock.advance(Duration.ofMinutes(3));
        assertThat(store.transition(held.id(), MessageState.QUEUED)).isTrue();
        StoredMessage released = store.find(held.id()).orElseThrow();
        assertThat(released.state()).isEqualTo(MessageState.QUEUED);
        assertThat(released.nextAttemptAt()).isEqualTo(Instant.parse("2026-11-28T04:03:00.123456Z"));
        assertThat(store.transition(held.id(), MessageState.HELD)).isFalse();
        assertThat(store.transition(held.id(), MessageState.QUEUED)).isFalse();

        StoredMessage quarantined = commit(bytes("q"), MessageState.QUARANTINED, "s", "a@example.jp");
        assertThat(store.transition(quarantined.id(), MessageState.BOUNCED)).isFalse();
        assertThat(store.transition(quarantined.id(), MessageState.DELETED)).isTrue();
        assertThat(store.transition(quarantined.id(), MessageState.QUEUED)).isFalse();
        assertThat(store.transition("01JNOSUCHMESSAGE000000000", MessageState.DELETED)).isFalse();
        assertThat(store.find(quarantined.id()).orElseThrow().state()).isEqualTo(MessageState.DELETED);
    }

    @Test
    void aQuarantinedMessageCanBeReadAsReceivedRevisedAndDeletedOnlyWhileStillQuarantined() throws Exception {
        // what a quarantined message analyzed again with a password needs of the store
        byte[] body = "Subject: zip\r\n\r\nencrypted\r\n".getBytes(StandardCharsets.US_ASCII);
        StoredMessage q = commit(body, MessageState.QUARANTINED, "zip", "a@example.jp", "b@example.jp");

        try (InputStream in = store.openOriginal(q.id())) {
            assertThat(in.readAllBytes()).as("without the header prefix").isEqualTo(body);
        }
        Envelope envelope = store.envelope(q.id()).orElseThrow();
        assertThat(envelope).isEqualTo(new Envelope(Direction.INBOUND, "sender@example.org",
                List.of("a@example.jp", "b@example.jp"), "192.0.2.10", "mx.example.org", null, true,
                Instant.parse("2026-11-28T04:00:00.123456Z")));
        assertThat(store.envelope("01JNOSUCHMESSAGE000000000")).isEmpty();

        Verdict revised = new Verdict(Action.QUARANTINE, 6.0, List.of(Finding.of("ENCRYPTED_ARCHIVE_OPENED", "a.zip"),
                Finding.of("ARCHIVE_PASSWORD_SENT_SEPARATELY", "a.zip: password from message X")));
        assertThat(store.revise(q.id(), MessageState.HELD, revised)).as("not in that state").isFalse();
        assertThat(store.revise(q.id(), MessageState.QUARANTINED, revised)).isTrue();
        StoredMessage after = store.find(q.id()).orElseThrow();
        assertThat(after.findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE_OPENED,ARCHIVE_PASSWORD_SENT_SEPARATELY");
        assertThat(after.action()).isEqualTo("QUARANTINE");
        assertThat(after.score()).isEqualTo(6.0);
        assertThat(read(q.id())).as("content and prefix unchanged")
                .isEqualTo(concat(PREFIX.getBytes(StandardCharsets.US_ASCII), body));

        assertThat(store.transition(q.id(), MessageState.QUEUED)).as("an analyst releases it").isTrue();
        assertThat(store.transition(q.id(), MessageState.QUARANTINED, MessageState.DELETED))
                .as("no longer quarantined: not deleted").isFalse();
        assertThat(store.find(q.id()).orElseThrow().state()).isEqualTo(MessageState.QUEUED);
        StoredMessage other = commit(body, MessageState.QUARANTINED, "zip", "a@example.jp");
        assertThat(store.transition(other.id(), MessageState.QUARANTINED, MessageState.DELETED)).isTrue();
        assertThat(store.transition(other.id(), MessageState.QUARANTINED, MessageState.QUEUED)).isFalse();
        assertThat(store.transition(q.id(), MessageState.QUEUED, MessageState.RECEIVED)).as("not in the life cycle")
                .isFalse();
    }

    @Test
    void deletingDropsTheContentButKeepsTheRow() throws Exception {
        useFiles();
        StoredMessage stored = commit(bytes("to be deleted"), MessageState.QUEUED, "s", "a@example.jp");
        assertThat(dir.resolve("messages").resolve(stored.id())).exists();

        assertThat(store.transition(stored.id(), MessageState.DELETED)).isTrue();

        assertThat(dir.resolve("messages").resolve(stored.id())).doesNotExist();
        assertThatThrownBy(() -> store.openContent(stored.id())).isInstanceOf(NoSuchFileException.class);
        assertThat(store.find(stored.id()).orElseThrow().state()).isEqualTo(MessageState.DELETED);
        assertThat(store.claimDue(clock.instant(), 10, Duration.ofMinutes(1))).isEmpty();
        assertThatThrownBy(() -> store.openContent("01JNOSUCHMESSAGE000000000")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void claimLeasesDueMessagesUntilTheLeaseEnds() throws Exception {
        Set<String> queued = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            queued.add(commit(bytes("m" + i), MessageState.QUEUED, "s", "a@example.jp").id());
        }
        commit(bytes("held"), MessageState.HELD, "s", "a@example.jp");
        Instant now = clock.instant();

        assertThat(ids(store.claimDue(now, 10, Duration.ofMinutes(5)))).isEqualTo(queued);
        assertThat(store.claimDue(now.plus(Duration.ofMinutes(4)), 10, Duration.ofMinutes(5))).isEmpty();
        List<StoredMessage> again = store.claimDue(now.plus(Duration.ofMinutes(5)), 2, Duration.ofMinutes(5));
        assertThat(again).hasSize(2);
        assertThat(ids(again)).isSubsetOf(queued);
    }

    @Test
    void aLeaseIsRenewedOnlyByItsHolder() throws Exception {
        StoredMessage first = commit(bytes("m1"), MessageState.QUEUED, "s", "a@example.jp");
        StoredMessage second = commit(bytes("m2"), MessageState.QUEUED, "s", "a@example.jp");
        Instant now = clock.instant();
        Duration lease = Duration.ofMinutes(5);
        Instant until = now.plus(lease);
        assertThat(store.claimDue(now, 10, lease)).hasSize(2);

        // renewed at minute 4 for 5 more: nobody may claim it at minute 6, when the first lease would have ended
        assertThat(store.renewLease(first.id(), until, now.plus(Duration.ofMinutes(4)), lease)).isTrue();
        assertThat(ids(store.claimDue(now.plus(Duration.ofMinutes(6)), 10, lease))).containsExactly(second.id());
        assertThat(store.claimDue(now.plus(Duration.ofMinutes(8)), 10, lease)).isEmpty();
        assertThat(store.renewLease(first.id(), now.plus(Duration.ofMinutes(9)), now.plus(Duration.ofMinutes(8)), lease))
                .as("renewed again, named by its new end").isTrue();

        // the second's lease ended at minute 5 and a claim at minute 6 took it: its first holder, late, may not renew,
        // though the new holder's lease is live at that moment
        assertThat(store.renewLease(second.id(), until, now.plus(Duration.ofMinutes(7)), lease)).isFalse();
        assertThat(store.renewLease(second.id(), now.plus(Duration.ofMinutes(11)), now.plus(Duration.ofMinutes(7)), lease))
                .as("the holder of the claim at minute 6").isTrue();
    }

    @Test
    void aLeaseThatEndedIsStillRenewedWhileNobodyElseClaimedTheMessage() throws Exception {
        StoredMessage m = commit(bytes("m"), MessageState.QUEUED, "s", "a@example.jp");
        Instant now = clock.instant();
        Duration lease = Duration.ofMinutes(5);
        assertThat(store.claimDue(now, 10, lease)).hasSize(1);

        assertThat(store.renewLease(m.id(), now.plus(lease), now.plus(Duration.ofMinutes(7)), lease)).isTrue();
        assertThat(store.claimDue(now.plus(Duration.ofMinutes(8)), 10, lease)).isEmpty();
    }

    @Test
    void aMessageTakenOutOfTheQueueHasNoLeaseToRenew() throws Exception {
        StoredMessage m = commit(bytes("m"), MessageState.QUEUED, "s", "a@example.jp");
        Instant now = clock.instant();
        Duration lease = Duration.ofMinutes(5);
        assertThat(store.claimDue(now, 10, lease)).hasSize(1);

        assertThat(store.transition(m.id(), MessageState.DELETED)).as("an operator deletes it").isTrue();

        assertThat(store.renewLease(m.id(), now.plus(lease), now.plus(Duration.ofMinutes(1)), lease)).isFalse();
        assertThat(store.renewLease("01JNOSUCHMESSAGE000000000", now.plus(lease), now, lease)).isFalse();
    }

    @Test
    void aReleasedLeaseMakesTheMessageDueAtOnceButAnotherHoldersIsLeftAlone() throws Exception {
        StoredMessage m = commit(bytes("m"), MessageState.QUEUED, "s", "a@example.jp");
        Instant now = clock.instant();
        Duration lease = Duration.ofMinutes(5);
        assertThat(store.claimDue(now, 10, lease)).hasSize(1);

        store.releaseLease(m.id(), now.plus(lease));
        Instant later = now.plus(Duration.ofMinutes(1));
        assertThat(ids(store.claimDue(later, 10, lease))).containsExactly(m.id());

        store.releaseLease(m.id(), now.plus(lease));   // the first holder again: that lease is gone
        assertThat(store.claimDue(later, 10, lease)).as("still leased by the second claim").isEmpty();
    }

    @Test
    void recordingAnAttemptReleasesTheLeaseAndSchedulesTheRetry() throws Exception {
        StoredMessage stored = commit(bytes("m"), MessageState.QUEUED, "s", "a@example.jp");
        Instant now = clock.instant();
        assertThat(store.claimDue(now, 10, Duration.ofHours(1))).hasSize(1);
        Instant retry = now.plus(Duration.ofMinutes(10));

        StoredMessage after = store.recordAttempt(stored.id(), now.plus(Duration.ofHours(1)),
                List.of(new StoredRecipient("a@example.jp", RecipientStatus.PENDING, "451 4.3.0 try later")), retry,
                "451 from next hop").orElseThrow();

        assertThat(after.state()).isEqualTo(MessageState.QUEUED);
        assertThat(after.attempts()).isEqualTo(1);
        assertThat(after.nextAttemptAt()).isEqualTo(retry.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
        assertThat(after.lastError()).isEqualTo("451 from next hop");
        assertThat(after.recipients().get(0).lastReply()).isEqualTo("451 4.3.0 try later");
        assertThat(store.claimDue(now.plus(Duration.ofMinutes(9)), 10, Duration.ofHours(1))).isEmpty();
        assertThat(ids(store.claimDue(retry, 10, Duration.ofHours(1)))).containsExactly(stored.id());
    }

    @Test
    void anAttemptIsRecordedInFullOnlyWhileItsWorkerStillHoldsTheLease() throws Exception {
        StoredMessage stored = commit(bytes("m"), MessageState.QUEUED, "s", "a@example.jp", "b@example.jp", "c@example.jp");
        Instant now = clock.instant();
        Duration lease = Duration.ofMinutes(5);
        assertThat(store.claimDue(now, 10, lease)).hasSize(1);
        // the first worker's lease ends; a second claims the message at minute 6
        assertThat(store.claimDue(now.plus(Duration.ofMinutes(6)), 10, lease)).hasSize(1);

        Optional<StoredMessage> late = store.recordAttempt(stored.id(), now.plus(lease), List.of(
                new StoredRecipient("a@example.jp", RecipientStatus.DELIVERED, "250 ok"),
                new StoredRecipient("b@example.jp", RecipientStatus.PENDING, "451 later"),
                new StoredRecipient("c@example.jp", RecipientStatus.FAILED, "550 no such user")),
                now.plus(Duration.ofMinutes(7)), "451 later");

        assertThat(late).as("no longer the first worker's lease").isEmpty();
        StoredMessage kept = store.find(stored.id()).orElseThrow();
        assertThat(kept.state()).isEqualTo(MessageState.QUEUED);
        assertThat(kept.attempts()).isZero();
        assertThat(kept.lastError()).isNull();
        assertThat(kept.recipients()).extracting(StoredRecipient::status)
                .as("delivered and failed for good; the deferral is the new holder's to decide")
                .containsExactly(RecipientStatus.DELIVERED, RecipientStatus.PENDING, RecipientStatus.FAILED);
        assertThat(store.claimDue(now.plus(Duration.ofMinutes(8)), 10, lease)).as("the second lease still holds").isEmpty();

        Instant secondLease = now.plus(Duration.ofMinutes(11));
        StoredMessage recorded = store.recordAttempt(stored.id(), secondLease,
                List.of(new StoredRecipient("b@example.jp", RecipientStatus.DELIVERED, "250 ok")), null, null).orElseThrow();
        assertThat(recorded.state()).isEqualTo(MessageState.BOUNCED);
        assertThat(recorded.attempts()).isEqualTo(1);

        assertThat(store.recordAttempt(stored.id(), secondLease,
                List.of(new StoredRecipient("b@example.jp", RecipientStatus.PENDING, "451 later")), null, null))
                .as("recorded already: the lease was given back").isEmpty();
        assertThat(store.find(stored.id()).orElseThrow().recipients()).extracting(StoredRecipient::status)
                .containsExactly(RecipientStatus.DELIVERED, RecipientStatus.DELIVERED, RecipientStatus.FAILED);
    }

    @Test
    void aLateAttemptNeverTurnsARecipientAnotherWorkerDeliveredIntoAFailure() throws Exception {
        StoredMessage stored = commit(bytes("m"), MessageState.QUEUED, "s", "a@example.jp");
        Instant now = clock.instant();
        Duration lease = Duration.ofMinutes(5);
        assertThat(store.claimDue(now, 10, lease)).hasSize(1);
        assertThat(store.claimDue(now.plus(Duration.ofMinutes(6)), 10, lease)).hasSize(1);
        assertThat(store.recordAttempt(stored.id(), now.plus(Duration.ofMinutes(11)),
                List.of(new StoredRecipient("a@example.jp", RecipientStatus.DELIVERED, "250 ok")), null, null)).isPresent();

        assertThat(store.recordAttempt(stored.id(), now.plus(lease),
                List.of(new StoredRecipient("a@example.jp", RecipientStatus.FAILED, "550 gone")), null, "550 gone")).isEmpty();

        StoredMessage after = store.find(stored.id()).orElseThrow();
        assertThat(after.state()).isEqualTo(MessageState.DELIVERED);
        assertThat(after.recipients()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RecipientStatus.DELIVERED);
            assertThat(r.lastReply()).isEqualTo("250 ok");
        });
        assertThatThrownBy(() -> store.recordAttempt("01JNOSUCHMESSAGE000000000", now.plus(lease), List.of(), null, null))
                .isInstanceOf(java.util.NoSuchElementException.class);
    }

    /** Records an attempt as a delivery worker does: under the lease of its claim (the message must be due). */
    private StoredMessage recordUnderLease(String id, List<StoredRecipient> outcomes, Instant nextAttemptAt, String error) {
        Instant now = clock.instant();
        Duration lease = Duration.ofMinutes(1);
        assertThat(store.claimDue(now, 10, lease)).extracting(StoredMessage::id).contains(id);
        return store.recordAttempt(id, now.plus(lease), outcomes, nextAttemptAt, error).orElseThrow();
    }

    @Test
    void partialDeliveryStaysQueuedUntilNoRecipientIsPending() throws Exception {
        StoredMessage stored = commit(bytes("m"), MessageState.QUEUED, "s", "a@example.jp", "b@example.jp", "c@example.jp");
        Instant retry = clock.instant().plus(Duration.ofMinutes(5));

        StoredMessage first = recordUnderLease(stored.id(), List.of(
                new StoredRecipient("a@example.jp", RecipientStatus.DELIVERED, "250 ok"),
                new StoredRecipient("b@example.jp", RecipientStatus.PENDING, "451 later"),
                new StoredRecipient("c@example.jp", RecipientStatus.FAILED, "550 no such user")), retry, null);
        assertThat(first.state()).isEqualTo(MessageState.QUEUED);
        assertThat(first.pendingRecipients()).containsExactly("b@example.jp");

        clock.advance(Duration.ofMinutes(5));
        StoredMessage second = recordUnderLease(stored.id(),
                List.of(new StoredRecipient("b@example.jp", RecipientStatus.DELIVERED, "250 ok")), retry, null);
        assertThat(second.state()).isEqualTo(MessageState.BOUNCED);
        assertThat(second.nextAttemptAt()).isNull();
        assertThat(second.attempts()).isEqualTo(2);
        assertThat(second.recipients()).extracting(StoredRecipient::status)
                .containsExactly(RecipientStatus.DELIVERED, RecipientStatus.DELIVERED, RecipientStatus.FAILED);
    }

    @Test
    void allRecipientsDeliveredMakesTheMessageDelivered() throws Exception {
        StoredMessage stored = commit(bytes("m"), MessageState.QUEUED, "s", "a@example.jp", "b@example.jp");
        StoredMessage after = recordUnderLease(stored.id(), List.of(
                new StoredRecipient("a@example.jp", RecipientStatus.DELIVERED, "250 ok"),
                new StoredRecipient("b@example.jp", RecipientStatus.DELIVERED, "250 ok")), null, null);
        assertThat(after.state()).isEqualTo(MessageState.DELIVERED);
        assertThat(store.countByState().get(MessageState.DELIVERED)).isEqualTo(1);
        assertThat(store.transition(stored.id(), MessageState.DELETED)).isFalse();
    }

    @Test
    void failedRecipientsWithNonePendingBounceTheMessage() throws Exception {
        StoredMessage stored = commit(bytes("m"), MessageState.QUEUED, "s", "a@example.jp");
        StoredMessage after = recordUnderLease(stored.id(),
                List.of(new StoredRecipient("a@example.jp", RecipientStatus.FAILED, "550 5.1.1 unknown")), null, "550");
        assertThat(after.state()).isEqualTo(MessageState.BOUNCED);
        assertThat(store.claimDue(clock.instant().plus(Duration.ofDays(1)), 10, Duration.ofMinutes(1))).isEmpty();
    }

    @Test
    void recordingAnAttemptForAnUnknownMessageOrRecipientFails() throws Exception {
        StoredMessage stored = commit(bytes("m"), MessageState.QUEUED, "s", "a@example.jp");
        Instant leaseUntil = clock.instant().plus(Duration.ofMinutes(1));
        assertThat(store.claimDue(clock.instant(), 10, Duration.ofMinutes(1))).hasSize(1);
        assertThatThrownBy(() -> store.recordAttempt("01JNOSUCHMESSAGE000000000", leaseUntil, List.of(), null, null))
                .isInstanceOf(java.util.NoSuchElementException.class);
        assertThatThrownBy(() -> store.recordAttempt(stored.id(), leaseUntil,
                List.of(new StoredRecipient("z@example.jp", RecipientStatus.DELIVERED, "250")), null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("z@example.jp");
        StoredMessage unchanged = store.find(stored.id()).orElseThrow();
        assertThat(unchanged.attempts()).isZero();
        assertThat(unchanged.state()).isEqualTo(MessageState.QUEUED);
    }

    @Test
    void concurrentClaimersNeverGetTheSameMessage() throws Exception {
        int messages = 120;
        for (int i = 0; i < messages; i++) {
            commit(bytes("m" + i), MessageState.QUEUED, "s", "a@example.jp");
        }
        Instant now = clock.instant();
        int claimers = 4;
        CyclicBarrier start = new CyclicBarrier(claimers);
        ExecutorService pool = Executors.newFixedThreadPool(claimers);
        List<Future<List<String>>> results = new ArrayList<>();
        for (int t = 0; t < claimers; t++) {
            results.add(pool.submit(() -> {
                start.await();
                List<String> mine = new ArrayList<>();
                while (true) {
                    List<StoredMessage> claimed = store.claimDue(now, 7, Duration.ofMinutes(5));
                    if (claimed.isEmpty()) {
                        return mine;
                    }
                    claimed.forEach(m -> mine.add(m.id()));
                }
            }));
        }
        List<String> all = new ArrayList<>();
        for (Future<List<String>> result : results) {
            all.addAll(result.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertThat(all).doesNotHaveDuplicates().hasSize(messages);
        assertThat(store.claimDue(now, 10, Duration.ofMinutes(5))).isEmpty();
    }

    @Test
    void sixteenConcurrentCommitsShareTransactions() throws Exception {
        int threads = 16;
        int each = 25;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Set<String> committed = ConcurrentHashMap.newKeySet();
        List<Future<?>> results = new ArrayList<>();
        long batchesBefore = store.commitBatches();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            results.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < each; i++) {
                    committed.add(commit(bytes("t" + thread + "-" + i), MessageState.QUEUED, "s", "a@example.jp").id());
                }
                return null;
            }));
        }
        for (Future<?> result : results) {
            result.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        long batches = store.commitBatches() - batchesBefore;
        System.out.printf("%s: %d commits in %d transactions%n", getClass().getSimpleName(), threads * each, batches);

        assertThat(committed).hasSize(threads * each);
        assertThat(store.countByState().get(MessageState.QUEUED)).isEqualTo(threads * each);
        assertThat(store.list(MessageState.QUEUED, 1000)).extracting(StoredMessage::id).containsExactlyInAnyOrderElementsOf(committed);
        assertThat(store.committedMessages()).isEqualTo(threads * each);
        assertThat(batches).isLessThan(threads * each);
    }

    @Test
    void keyRotationRewrapsEveryContentKeyAndKeepsContentReadable() throws Exception {
        List<StoredMessage> stored = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stored.add(commit(bytes("secret " + i), MessageState.QUEUED, "s", "a@example.jp"));
        }
        StoredMessage deleted = commit(bytes("gone"), MessageState.QUEUED, "s", "a@example.jp");
        store.transition(deleted.id(), MessageState.DELETED);
        Map<String, byte[]> before = wrappedKeys();
        int oldPrimary = keys.primaryKeyId();

        MasterKeys.Rotation rotation = keys.rotate();
        int rewrapped = store.rewrapKeys();

        assertThat(rotation.previousPrimaryId()).isEqualTo(oldPrimary);
        assertThat(rotation.newPrimaryId()).isNotEqualTo(oldPrimary).isEqualTo(keys.primaryKeyId());
        assertThat(keys.keyIds()).containsExactlyInAnyOrder(oldPrimary, rotation.newPrimaryId());
        assertThat(rotation.backup()).exists();
        assertThat(Files.getPosixFilePermissions(rotation.backup())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(rewrapped).isEqualTo(3);
        Map<String, byte[]> after = wrappedKeys();
        for (StoredMessage m : stored) {
            assertThat(after.get(m.id())).isNotEqualTo(before.get(m.id()));
            assertThat(wrapKeyId(m.id())).isEqualTo(rotation.newPrimaryId());
            assertThat(read(m.id())).endsWith(bytes("secret " + stored.indexOf(m)));
        }
        assertThat(store.rewrapKeys()).isZero();

        store.close();
        keys = MasterKeys.openOrCreate(dir.resolve("keys"));
        store = newStore();
        assertThat(keys.primaryKeyId()).isEqualTo(rotation.newPrimaryId());
        assertThat(read(stored.get(0).id())).endsWith(bytes("secret 0"));
        StoredMessage fresh = commit(bytes("new"), MessageState.QUEUED, "s", "a@example.jp");
        assertThat(wrapKeyId(fresh.id())).isEqualTo(rotation.newPrimaryId());
    }

    @Test
    void uncommittedSpoolsAndOrphanedContentAreRemovedAtStart() throws Exception {
        useFiles();
        StoredMessage kept = commit(bytes("kept"), MessageState.QUEUED, "s", "a@example.jp");
        Spool abandoned = store.openSpool();
        try (OutputStream out = abandoned.output()) {
            out.write(bytes("never committed"));
        }
        Path orphan = dir.resolve("messages").resolve("01JZZZZZZZ0000000000000000");
        Files.write(orphan, bytes("renamed but never committed"));
        assertThat(filesUnder(dir.resolve("spool"))).hasSize(1);

        store.close();
        store = newStore();

        assertThat(filesUnder(dir.resolve("spool"))).isEmpty();
        assertThat(orphan).doesNotExist();
        assertThat(read(kept.id())).endsWith(bytes("kept"));
    }

    @Test
    void aSecondStoreOnTheSameDirectoriesLeavesLiveSpoolsAlone() throws Exception {
        useFiles();
        Spool inFlight = store.openSpool();
        try (OutputStream out = inFlight.output()) {
            out.write(bytes("being received"));
        }
        try (JdbcMessageStore second = newStore()) {
            assertThat(filesUnder(dir.resolve("spool"))).hasSize(1);
            assertThat(second.list(null, 10)).isEmpty();
        }
        StoredMessage stored = store.commit(inFlight, message(MessageState.QUEUED, "s", "a@example.jp"), PREFIX);
        assertThat(read(stored.id())).endsWith(bytes("being received"));
    }

    @Test
    void listIsNewestFirstAndCountsCoverEveryState() throws Exception {
        StoredMessage first = commit(bytes("1"), MessageState.QUEUED, "s", "a@example.jp");
        clock.advance(Duration.ofSeconds(1));
        StoredMessage second = commit(bytes("2"), MessageState.HELD, "s", "a@example.jp");
        clock.advance(Duration.ofSeconds(1));
        StoredMessage third = commit(bytes("3"), MessageState.QUEUED, "s", "a@example.jp");

        assertThat(ids(store.list(null, 10))).isNotNull();
        assertThat(store.list(null, 10)).extracting(StoredMessage::id).containsExactly(third.id(), second.id(), first.id());
        assertThat(store.list(MessageState.QUEUED, 1)).extracting(StoredMessage::id).containsExactly(third.id());
        Map<MessageState, Long> counts = store.countByState();
        assertThat(counts).hasSize(MessageState.values().length);
        assertThat(counts.get(MessageState.QUEUED)).isEqualTo(2);
        assertThat(counts.get(MessageState.HELD)).isEqualTo(1);
        assertThat(counts.get(MessageState.BOUNCED)).isZero();
        assertThat(store.find("01JNOSUCHMESSAGE000000000")).isEmpty();
    }

    @Test
    void searchMatchesEachCriterionNewestFirstAndPages() throws Exception {
        StoredMessage invoice = commitWith(Direction.INBOUND, "Billing@Vendor.example", true, Action.QUARANTINE,
                MessageState.QUARANTINED, "請求書 100%_確認", "hanako@example.jp");
        clock.advance(Duration.ofMinutes(1));
        StoredMessage memo = commitWith(Direction.OUTBOUND, "taro@example.jp", false, Action.HOLD, MessageState.HELD,
                "議事録", "client@customer.example");
        clock.advance(Duration.ofMinutes(1));
        StoredMessage news = commitWith(Direction.INBOUND, "news@list.example", true, Action.DELIVER, MessageState.QUEUED,
                "News", "taro@example.jp", "jiro@example.jp");

        assertThat(idsInOrder(store.search(MessageQuery.all(10)))).containsExactly(news.id(), memo.id(), invoice.id());
        assertThat(idsInOrder(store.search(MessageQuery.all(2)))).containsExactly(news.id(), memo.id());
        assertThat(idsInOrder(store.search(MessageQuery.all(2).withPage(2, 2)))).containsExactly(invoice.id());
        assertThat(idsInOrder(store.search(query("sender", "billing@vendor")))).containsExactly(invoice.id());
        assertThat(idsInOrder(store.search(query("recipient", "TARO@")))).containsExactly(news.id());
        assertThat(idsInOrder(store.search(query("subject", "100%_")))).containsExactly(invoice.id());
        assertThat(idsInOrder(store.search(query("subject", "0%x")))).as("% and _ are literal").isEmpty();
        assertThat(idsInOrder(store.search(query("action", "hold")))).containsExactly(memo.id());
        assertThat(idsInOrder(store.search(query("id", news.id())))).containsExactly(news.id());
        assertThat(idsInOrder(store.search(MessageQuery.all(10).withState(MessageState.QUARANTINED)))).containsExactly(invoice.id());
        assertThat(idsInOrder(store.search(new MessageQuery(null, null, null, null, null, null, Direction.OUTBOUND, null, null,
                null, 0, 10)))).containsExactly(memo.id());
        assertThat(idsInOrder(store.search(new MessageQuery(null, null, null, null, null, null, null, memo.receivedAt(),
                news.receivedAt(), null, 0, 10)))).as("from inclusive, to exclusive").containsExactly(memo.id());
    }

    @Test
    void searchByFindingMatchesTheWholeCodeOnly() throws Exception {
        StoredMessage shortener = commitWith(Direction.INBOUND, "a@x.example", true, Action.QUARANTINE, MessageState.QUARANTINED,
                "a", List.of(Finding.of("LURE_URGENCY", "至急"), Finding.of("LINK_SHORTENER", "bit.ly")), "hanako@example.jp");
        clock.advance(Duration.ofMinutes(1));
        StoredMessage first = commitWith(Direction.INBOUND, "b@x.example", true, Action.QUARANTINE, MessageState.QUARANTINED,
                "b", List.of(Finding.of("LINK_SHORTENER", "bit.ly")), "hanako@example.jp");
        clock.advance(Duration.ofMinutes(1));
        StoredMessage other = commitWith(Direction.INBOUND, "c@x.example", true, Action.QUARANTINE, MessageState.QUARANTINED,
                "c", List.of(Finding.of("LINK_SHORTENER_PLUS", "x"), Finding.of("XLINK_SHORTENER", "y"),
                        Finding.of("LINKASHORTENER", "z")), "hanako@example.jp");

        MessageQuery all = MessageQuery.all(10);
        assertThat(idsInOrder(store.search(all.withFinding("LINK_SHORTENER")))).as("not a prefix, suffix or _ wildcard")
                .containsExactly(first.id(), shortener.id());
        assertThat(idsInOrder(store.search(all.withFinding("LURE_URGENCY")))).containsExactly(shortener.id());
        assertThat(idsInOrder(store.search(all.withFinding("LINKASHORTENER")))).containsExactly(other.id());
        assertThat(idsInOrder(store.search(all.withFinding("LINK_SHORTENER").withState(MessageState.QUEUED)))).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> all.withFinding("LINK%"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void searchAndCountsKeepToTheMessagesTheirPartiesOwn() throws Exception {
        StoredMessage toTaro = commitWith(Direction.INBOUND, "taro@example.jp", true, Action.DELIVER, MessageState.QUEUED,
                "inbound claiming taro as sender", "hanako@example.jp");
        clock.advance(Duration.ofSeconds(1));
        StoredMessage fromTaro = commitWith(Direction.OUTBOUND, "taro@example.jp", true, Action.HOLD, MessageState.HELD,
                "outbound from taro", "client@customer.example");
        clock.advance(Duration.ofSeconds(1));
        StoredMessage forTaro = commitWith(Direction.INBOUND, "x@internet.example", false, Action.QUARANTINE,
                MessageState.QUARANTINED, "inbound to taro", "Taro@Example.JP");

        Set<String> taro = Set.of("TARO@example.jp");
        assertThat(idsInOrder(store.search(MessageQuery.all(10).withParties(taro))))
                .as("the envelope sender of inbound mail gives no scope").containsExactly(forTaro.id(), fromTaro.id());
        assertThat(store.search(MessageQuery.all(10).withParties(Set.of()))).isEmpty();
        assertThat(idsInOrder(store.search(MessageQuery.all(10).withParties(Set.of("hanako@example.jp", "nobody@example.jp")))))
                .containsExactly(toTaro.id());
        Map<MessageState, Long> counts = store.countByState(taro);
        assertThat(counts).hasSize(MessageState.values().length);
        assertThat(counts.get(MessageState.HELD)).isEqualTo(1);
        assertThat(counts.get(MessageState.QUARANTINED)).isEqualTo(1);
        assertThat(counts.get(MessageState.QUEUED)).isZero();
        assertThat(store.countByState((Set<String>) null).get(MessageState.QUEUED)).isEqualTo(1);

        // an approver of a whole division: more addresses than a statement may have parameters
        Set<String> division = new java.util.HashSet<>();
        for (int i = 0; i < 40_000; i++) {
            division.add("person" + i + "@example.jp");
        }
        division.add("taro@example.jp");
        assertThat(idsInOrder(store.search(MessageQuery.all(10).withParties(division))))
                .containsExactly(forTaro.id(), fromTaro.id());
        assertThat(store.countByState(division).get(MessageState.HELD)).isEqualTo(1);
    }

    @Test
    void trafficCountsByDirectionActionAndTlsWithinTheWindow() throws Exception {
        Instant start = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        commitWith(Direction.INBOUND, "a@internet.example", true, Action.DELIVER, MessageState.QUEUED, "1", "taro@example.jp");
        commitWith(Direction.INBOUND, "b@internet.example", false, Action.DELIVER, MessageState.QUEUED, "2", "taro@example.jp");
        commitWith(Direction.INBOUND, "c@internet.example", true, Action.QUARANTINE, MessageState.QUARANTINED, "3",
                "hanako@example.jp");
        commitWith(Direction.OUTBOUND, "taro@example.jp", true, Action.HOLD, MessageState.HELD, "4", "x@customer.example");
        clock.advance(Duration.ofDays(1));
        commitWith(Direction.INBOUND, "d@internet.example", true, Action.DELIVER, MessageState.QUEUED, "next day",
                "taro@example.jp");

        Traffic day = store.traffic(start, start.plus(Duration.ofDays(1)), null);
        assertThat(day.total()).isEqualTo(4);
        assertThat(day.overTls()).isEqualTo(3);
        assertThat(day.count(Direction.INBOUND, "DELIVER")).isEqualTo(2);
        assertThat(day.count(Direction.INBOUND, "QUARANTINE")).isEqualTo(1);
        assertThat(day.count(Direction.OUTBOUND, "HOLD")).isEqualTo(1);
        assertThat(day.findings()).containsEntry("ATTACHMENT_EXECUTABLE", 4L).containsEntry("MIME_MALFORMED", 4L).hasSize(2);

        Traffic taros = store.traffic(start, start.plus(Duration.ofDays(2)), Set.of("taro@example.jp"));
        assertThat(taros.total()).isEqualTo(4);
        assertThat(taros.count(Direction.INBOUND, "QUARANTINE")).isZero();
        assertThat(store.traffic(start.minus(Duration.ofDays(1)), start, null).total()).isZero();
    }

    StoredMessage commitWith(Direction direction, String sender, boolean tls, Action action, MessageState state,
            String subject, String... recipients) throws IOException {
        return commitWith(direction, sender, tls, action, state, subject,
                List.of(Finding.of("ATTACHMENT_EXECUTABLE", "a.exe"), Finding.of("MIME_MALFORMED", "boundary")), recipients);
    }

    StoredMessage commitWith(Direction direction, String sender, boolean tls, Action action, MessageState state,
            String subject, List<Finding> findings, String... recipients) throws IOException {
        Envelope envelope = new Envelope(direction, sender, List.of(recipients), "192.0.2.10", "mx.example.org", null, tls,
                clock.instant());
        Verdict verdict = new Verdict(action, 4.5, findings);
        try (Spool spool = store.openSpool()) {
            try (OutputStream out = spool.output()) {
                out.write(bytes("Subject: " + subject + "\r\n\r\nbody\r\n"));
            }
            return store.commit(spool, new NewMessage(envelope, subject, verdict, state), PREFIX);
        }
    }

    static List<String> idsInOrder(List<StoredMessage> messages) {
        return messages.stream().map(StoredMessage::id).toList();
    }

    static MessageQuery query(String field, String value) {
        return new MessageQuery(field.equals("id") ? value : null, field.equals("sender") ? value : null,
                field.equals("recipient") ? value : null, field.equals("subject") ? value : null,
                field.equals("action") ? value : null, null, null, null, null, null, 0, 10);
    }

    @Test
    void nulInTheSubjectIsReplacedButNulInAnAddressIsRefused() throws Exception {
        StoredMessage stored = commit(bytes("m"), MessageState.QUEUED, "bad\0subject", "a@example.jp");
        assertThat(store.find(stored.id()).orElseThrow().subject()).isEqualTo("bad\uFFFDsubject");
        try (Spool spool = store.openSpool()) {
            assertThatThrownBy(() -> store.commit(spool, message(MessageState.QUEUED, "s", "a\0@example.jp"), PREFIX))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
        }
        assertThat(store.countByState().get(MessageState.QUEUED)).isEqualTo(1);
    }

    @Test
    void commitAfterCloseFailsAndLeavesNoRow() throws Exception {
        Spool spool = store.openSpool();
        try (OutputStream out = spool.output()) {
            out.write(bytes("late"));
        }
        store.close();
        assertThatThrownBy(() -> store.commit(spool, message(MessageState.QUEUED, "s", "a@example.jp"), PREFIX))
                .isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThat(filesUnder(dir.resolve("messages"))).isEmpty();
        store = newStore();
        assertThat(store.list(null, 10)).isEmpty();
    }

    StoredMessage commit(byte[] content, MessageState state, String subject, String... recipients) throws IOException {
        try (Spool spool = store.openSpool()) {
            try (OutputStream out = spool.output()) {
                out.write(content);
            }
            return store.commit(spool, message(state, subject, recipients), PREFIX);
        }
    }

    NewMessage message(MessageState state, String subject, String... recipients) {
        Envelope envelope = new Envelope(Direction.INBOUND, "sender@example.org", List.of(recipients), "192.0.2.10",
                "mx.example.org", null, true, clock.instant());
        Verdict verdict = new Verdict(Action.TAG, 4.5,
                List.of(Finding.of("ATTACHMENT_EXECUTABLE", "a.exe"), Finding.of("MIME_MALFORMED", "boundary")));
        return new NewMessage(envelope, subject, verdict, state);
    }

    byte[] read(String id) throws IOException {
        try (InputStream in = store.openContent(id)) {
            return in.readAllBytes();
        }
    }

    Map<String, byte[]> wrappedKeys() throws Exception {
        Map<String, byte[]> keys = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, wrapped_key FROM messages WHERE wrapped_key IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                keys.put(rs.getString(1), rs.getBytes(2));
            }
        }
        return keys;
    }

    int wrapKeyId(String id) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT wrap_key_id FROM messages WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getInt(1);
            }
        }
    }

    static Set<String> ids(List<StoredMessage> messages) {
        Set<String> ids = new HashSet<>();
        messages.forEach(m -> ids.add(m.id()));
        return ids;
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    static List<Path> filesUnder(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> !f.getFileName().toString().startsWith(".")).toList();
        }
    }

    static void assertNoFileContains(Path directory, String marker) throws IOException {
        byte[] needle = marker.getBytes(StandardCharsets.US_ASCII);
        for (Path file : filesUnder(directory)) {
            byte[] content = Files.readAllBytes(file);
            assertThat(indexOf(content, needle)).as("plaintext marker in %s", file).isEqualTo(-1);
            assertThat(content.length).isGreaterThan(needle.length);
        }
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
