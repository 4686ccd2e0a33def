package io.mamori.console.quarantine;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import io.mamori.console.quarantine.QuarantineService.Refusal;
import io.mamori.console.quarantine.QuarantineService.Result;
import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Direction;
import io.mamori.core.classifier.ContentLearner;
import io.mamori.core.classifier.ContentModel;
import io.mamori.core.classifier.ContentModelFile;
import java.nio.file.Files;
import io.mamori.core.message.Envelope;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.NewMessage;
import io.mamori.core.store.Spool;
import io.mamori.core.store.StoredMessage;
import io.mamori.gateway.crypto.MasterKeys;
import io.mamori.gateway.quarantine.ReleaseRequests;
import io.mamori.gateway.quarantine.ReleaseRequests.ReleaseRequest;
import io.mamori.gateway.quarantine.ReleaseRequests.Status;
import io.mamori.gateway.store.Databases;
import io.mamori.gateway.store.JdbcMessageStore;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quarantine operations on a real H2 store, with every call checked in the audit trail. */
class QuarantineServiceTest {

    @TempDir
    Path dir;
    HikariDataSource dataSource;
    JdbcMessageStore store;
    ReleaseRequests requests;
    final List<AuditEntry> audited = new CopyOnWriteArrayList<>();
    QuarantineService service;

    @BeforeEach
    void open() throws Exception {
        dataSource = Databases.open(Databases.Settings.embedded(dir.resolve("db")));
        store = new JdbcMessageStore(dataSource, MasterKeys.openOrCreate(dir.resolve("keys")), JdbcMessageStore.Settings.under(dir),
                Clock.systemUTC());
        requests = new ReleaseRequests(dataSource, Clock.systemUTC());
        AuditTrail trail = entry -> {
            AuditTrail.LOG_ONLY.record(entry);
            audited.add(entry);
        };
        service = new QuarantineService(store, requests, FindingCatalogue.builtIn(), trail, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        store.close();
        dataSource.close();
    }

    private StoredMessage commit(MessageState state, String mailFrom, List<Finding> findings, String... recipients) throws Exception {
        return commit(state, Direction.INBOUND, mailFrom, findings, "Subject: test\r\n\r\nbody\r\n", recipients);
    }

    /** An inbound or outbound message with this body, quarantined or held for a lure. */
    private StoredMessage commitText(MessageState state, Direction direction, String body) throws Exception {
        return commit(state, direction, "a@sender.example", List.of(Finding.of("LURE_COMBINED", "x")),
                "From: a@sender.example\r\nTo: sato@example.co.jp\r\nSubject: notice\r\n\r\n" + body + "\r\n",
                "sato@example.co.jp");
    }

    private StoredMessage commit(MessageState state, Direction direction, String mailFrom, List<Finding> findings,
            String content, String... recipients) throws Exception {
        try (Spool spool = store.openSpool()) {
            try (OutputStream out = spool.output()) {
                out.write(content.getBytes(StandardCharsets.UTF_8));
            }
            Envelope e = new Envelope(direction, mailFrom, List.of(recipients), "192.0.2.10", "mx", null, true,
                    java.time.Instant.now());
            return store.commit(spool, new NewMessage(e, "請求書", new Verdict(Action.QUARANTINE, 10, findings), state), "");
        }
    }

    private static <T> T ok(Result<T> result) {
        assertThat(result).isInstanceOf(Result.Ok.class);
        return ((Result.Ok<T>) result).value();
    }

    private static Refusal refusal(Result<?> result) {
        assertThat(result).isInstanceOf(Result.Refused.class);
        return ((Result.Refused<?>) result).refusal();
    }

    @Test
    void heldAndQuarantinedMailIsListedWithReasonsInJapaneseAndEnglish() throws Exception {
        StoredMessage q = commit(MessageState.QUARANTINED, "spam@spam.example",
                List.of(Finding.of("SENDER_BLOCKED", "from=spam@spam.example entry=spam.example source=policy:x")),
                "sato@example.co.jp");
        commit(MessageState.QUEUED, "ok@partner.example", List.of(), "sato@example.co.jp");

        List<QuarantineService.Message> listed = ok(service.list(null, 50, "api-token", "127.0.0.1"));

        assertThat(listed).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo(q.id());
            assertThat(m.subject()).isEqualTo("請求書");
            assertThat(m.reasons()).containsExactly(new QuarantineService.Reason("SENDER_BLOCKED",
                    "差出人が受信拒否リスト（ブロックリスト）に登録されています", "The sender is on a block list"));
        });
        assertThat(refusal(service.list(MessageState.QUEUED, 50, "api-token", "127.0.0.1"))).isEqualTo(Refusal.INVALID);
        assertThat(audited).extracting(AuditEntry::action, AuditEntry::success)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("quarantine.list", true),
                        org.assertj.core.groups.Tuple.tuple("quarantine.list", false));
    }

    @Test
    void anEmployeeRequestIsApprovedByAnAnalystAndTheMessageIsReleasedForDelivery() throws Exception {
        StoredMessage m = commit(MessageState.QUARANTINED, "keiri@partner.example", List.of(Finding.of("LURE_COMBINED", "x")),
                "sato@example.co.jp", "suzuki@example.co.jp");

        ReleaseRequest sato = ok(service.requestRelease(m.id(), "Sato@Example.co.jp", "取引先の請求書です", "api-token", "10.0.0.5"));
        ReleaseRequest suzuki = ok(service.requestRelease(m.id(), "suzuki@example.co.jp", "", "api-token", "10.0.0.6"));
        assertThat(refusal(service.requestRelease(m.id(), "sato@example.co.jp", "again", "api-token", "10.0.0.5")))
                .isEqualTo(Refusal.CONFLICT);
        assertThat(ok(service.requests(Status.PENDING, 10, "analyst@example.co.jp", "10.0.0.9")))
                .extracting(r -> r.request().id()).containsExactly(suzuki.id(), sato.id());

        ReleaseRequest approved = ok(service.approve(sato.id(), "確認済み", "analyst@example.co.jp", "10.0.0.9"));

        assertThat(approved.status()).isEqualTo(Status.APPROVED);
        assertThat(approved.decidedBy()).isEqualTo("analyst@example.co.jp");
        assertThat(store.find(m.id()).orElseThrow().state()).isEqualTo(MessageState.QUEUED);
        assertThat(requests.find(suzuki.id()).orElseThrow()).satisfies(r -> {
            assertThat(r.status()).isEqualTo(Status.APPROVED);
            assertThat(r.decisionReason()).isEqualTo("released with request #" + sato.id());
        });
        assertThat(refusal(service.approve(sato.id(), null, "analyst@example.co.jp", "10.0.0.9"))).isEqualTo(Refusal.CONFLICT);
        assertThat(audited).filteredOn(AuditEntry::success).extracting(AuditEntry::action).containsExactly(
                "quarantine.request.create", "quarantine.request.create", "quarantine.requests.list",
                "quarantine.request.approve", "quarantine.request.approve");
        assertThat(audited).filteredOn(e -> e.action().equals("quarantine.request.approve") && e.success())
                .satisfiesExactly(e -> {
                    assertThat(e.object()).isEqualTo("request #" + sato.id());
                    assertThat(e.actor()).isEqualTo("analyst@example.co.jp");
                    assertThat(e.sourceIp()).isEqualTo("10.0.0.9");
                    assertThat(e.after()).isEqualTo("message " + m.id() + " QUARANTINED -> QUEUED");
                }, e -> {
                    // the other pending request, decided with it, has an entry of its own
                    assertThat(e.object()).isEqualTo("request #" + suzuki.id());
                    assertThat(e.actor()).isEqualTo("analyst@example.co.jp");
                    assertThat(e.after()).isEqualTo("released with request #" + sato.id());
                });
    }

    @Test
    void withTheAuditTableAnActionWhoseEntryCannotBeWrittenDoesNotHappen() throws Exception {
        io.mamori.console.audit.JdbcAuditTrail table = new io.mamori.console.audit.JdbcAuditTrail(dataSource);
        QuarantineService audited = new QuarantineService(store, requests, FindingCatalogue.builtIn(), table, Clock.systemUTC());
        StoredMessage m = commit(MessageState.QUARANTINED, "x@spam.example", List.of(), "sato@example.co.jp");
        StoredMessage other = commit(MessageState.QUARANTINED, "y@spam.example", List.of(), "suzuki@example.co.jp");
        ReleaseRequest r = ok(audited.requestRelease(m.id(), "sato@example.co.jp", "", "api-token", "x"));
        try (java.sql.Connection c = dataSource.getConnection(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE audit_head SET last_hash = 'damaged' WHERE id = 1");
        }

        // a request and a denial are written with their entries too: neither stands without it
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> audited.requestRelease(other.id(), "suzuki@example.co.jp",
                "", "api-token", "x")).isInstanceOf(io.mamori.console.audit.AuditLogException.class);
        assertThat(requests.forMessage(other.id())).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> audited.deny(r.id(), "spam", "analyst", "10.0.0.9"))
                .isInstanceOf(io.mamori.console.audit.AuditLogException.class);
        assertThat(requests.find(r.id()).orElseThrow().status()).isEqualTo(Status.PENDING);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> audited.approve(r.id(), "ok", "analyst", "10.0.0.9"))
                .isInstanceOf(io.mamori.console.audit.AuditLogException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> audited.release(m.id(), "analyst", "10.0.0.9"))
                .isInstanceOf(io.mamori.console.audit.AuditLogException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> audited.delete(m.id(), "analyst", "10.0.0.9"))
                .isInstanceOf(io.mamori.console.audit.AuditLogException.class);

        assertThat(store.find(m.id()).orElseThrow().state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(requests.find(r.id()).orElseThrow().status()).as("still to be decided").isEqualTo(Status.PENDING);
        assertThat(table.search(io.mamori.console.audit.AuditFilter.ALL, null, 10).entries())
                .extracting(io.mamori.console.audit.AuditRecord::action).containsExactly("quarantine.request.create");
    }

    @Test
    void theSenderOfStoppedOutboundMailAsksForItsReleaseButNotOfInboundMail() throws Exception {
        StoredMessage outbound = commit(MessageState.QUARANTINED, Direction.OUTBOUND, "Sato@example.co.jp",
                List.of(Finding.of("LURE_COMBINED", "x")), "Subject: 見積\r\n\r\nbody\r\n", "buyer@partner.example");
        ReleaseRequest r = ok(service.requestRelease(outbound.id(), "sato@example.co.jp", "取引先への正式な見積です",
                "sato@example.co.jp", "10.0.0.7"));
        assertThat(r.requester()).isEqualTo("sato@example.co.jp");
        assertThat(requests.forMessage(outbound.id())).hasSize(1);

        Result<ReleaseRequest> colleague = service.requestRelease(outbound.id(), "tanaka@example.co.jp", "", "tanaka@example.co.jp", "x");
        assertThat(refusal(colleague)).isEqualTo(Refusal.FORBIDDEN);
        assertThat(((Result.Refused<?>) colleague).message()).contains("送信者・宛先ではない").contains("neither the sender");
        // the sender of inbound mail is outside: only its recipients ask
        StoredMessage inbound = commit(MessageState.QUARANTINED, Direction.INBOUND, "sato@example.co.jp", List.of(),
                "Subject: x\r\n\r\nbody\r\n", "suzuki@example.co.jp");
        assertThat(refusal(service.requestRelease(inbound.id(), "sato@example.co.jp", "", "sato@example.co.jp", "x")))
                .isEqualTo(Refusal.FORBIDDEN);
    }

    @Test
    void aRequestForAMessageTheEmployeeDidNotReceiveIsRefused() throws Exception {
        StoredMessage m = commit(MessageState.QUARANTINED, "x@spam.example", List.of(), "sato@example.co.jp");

        Result<ReleaseRequest> r = service.requestRelease(m.id(), "tanaka@example.co.jp", "please", "api-token", "10.0.0.7");

        assertThat(refusal(r)).isEqualTo(Refusal.FORBIDDEN);
        assertThat(((Result.Refused<?>) r).message()).contains("宛先ではない").contains("not a recipient");
        assertThat(requests.forMessage(m.id())).isEmpty();
        assertThat(audited).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo("quarantine.request.create");
            assertThat(e.success()).isFalse();
            assertThat(e.object()).isEqualTo(m.id() + " requester=tanaka@example.co.jp");
        });
        assertThat(refusal(service.requestRelease("NOSUCHID", "sato@example.co.jp", "", "api-token", "x"))).isEqualTo(Refusal.NOT_FOUND);
        StoredMessage delivered = commit(MessageState.QUEUED, "x@partner.example", List.of(), "sato@example.co.jp");
        assertThat(refusal(service.requestRelease(delivered.id(), "sato@example.co.jp", "", "api-token", "x")))
                .isEqualTo(Refusal.CONFLICT);
    }

    @Test
    void aDenialNeedsAReasonAndADeletedMessageCannotBeApproved() throws Exception {
        StoredMessage m = commit(MessageState.QUARANTINED, "x@spam.example", List.of(), "sato@example.co.jp");
        ReleaseRequest r = ok(service.requestRelease(m.id(), "sato@example.co.jp", "", "api-token", "x"));

        assertThat(refusal(service.deny(r.id(), " ", "analyst", "x"))).isEqualTo(Refusal.INVALID);
        ok(service.delete(m.id(), "analyst", "x"));
        assertThat(refusal(service.approve(r.id(), null, "analyst", "x"))).isEqualTo(Refusal.CONFLICT);
        assertThat(requests.find(r.id()).orElseThrow().status()).as("left pending").isEqualTo(Status.PENDING);

        ReleaseRequest denied = ok(service.deny(r.id(), "不審なメールのため解放できません", "analyst", "x"));
        assertThat(denied.status()).isEqualTo(Status.DENIED);
        assertThat(denied.decisionReason()).isEqualTo("不審なメールのため解放できません");
        assertThat(refusal(service.deny(999_999, "x", "analyst", "x"))).isEqualTo(Refusal.NOT_FOUND);
    }

    @Test
    void bulkReleaseBySenderOrFindingActsOnQuarantinedMailOnly() throws Exception {
        StoredMessage a = commit(MessageState.QUARANTINED, "news@shop.example", List.of(Finding.of("LINK_SHORTENER", "bit.ly")), "sato@example.co.jp");
        StoredMessage b = commit(MessageState.QUARANTINED, "News@Shop.example", List.of(Finding.of("LURE_URGENCY", "至急")), "sato@example.co.jp");
        StoredMessage c = commit(MessageState.QUARANTINED, "x@other.example", List.of(Finding.of("LINK_SHORTENER", "bit.ly")), "sato@example.co.jp");
        StoredMessage held = commit(MessageState.HELD, "news@shop.example", List.of(), "sato@example.co.jp");

        QuarantineService.BulkRelease bySender = ok(service.releaseBulk("news@shop.example", null, "api-token", "x"));
        assertThat(bySender.released()).containsExactlyInAnyOrder(a.id(), b.id());
        assertThat(store.find(held.id()).orElseThrow().state()).isEqualTo(MessageState.HELD);

        QuarantineService.BulkRelease byFinding = ok(service.releaseBulk(null, "LINK_SHORTENER", "api-token", "x"));
        assertThat(byFinding.released()).containsExactly(c.id());
        assertThat(refusal(service.releaseBulk("a@b.example", "LINK_SHORTENER", "api-token", "x"))).isEqualTo(Refusal.INVALID);
        assertThat(refusal(service.releaseBulk(null, "NO_SUCH_CODE", "api-token", "x"))).isEqualTo(Refusal.INVALID);
        assertThat(audited).filteredOn(e -> e.action().equals("queue.release_bulk")).hasSize(4);
        assertThat(audited).filteredOn(e -> e.action().equals("queue.release")).as("one entry per released message")
                .extracting(AuditEntry::object, AuditEntry::after).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(a.id(), "QUEUED (bulk release by sender=news@shop.example)"),
                        org.assertj.core.groups.Tuple.tuple(b.id(), "QUEUED (bulk release by sender=news@shop.example)"),
                        org.assertj.core.groups.Tuple.tuple(c.id(), "QUEUED (bulk release by finding=LINK_SHORTENER)"));
        assertThat(audited).hasSize(7);
    }

    @Test
    void bulkReleaseGoesThroughEveryPageOfTheSearchAndSaysWhenItStoppedEarly() throws Exception {
        // newest first: pages of 4, where messages from look-alike senders (the search finds the sender as a part of
        // the address) and the sender's own interleave, so that each page both releases and steps over messages
        List<String> own = new java.util.ArrayList<>();
        List<String> others = new java.util.ArrayList<>();
        for (int i = 0; i < 9; i++) {
            own.add(commit(MessageState.QUARANTINED, "news@shop.example", List.of(), "sato@example.co.jp").id());
            others.add(commit(MessageState.QUARANTINED, "old-news@shop.example", List.of(), "sato@example.co.jp").id());
        }
        QuarantineService paged = new QuarantineService(store, requests, FindingCatalogue.builtIn(), AuditTrail.LOG_ONLY,
                Clock.systemUTC(), io.mamori.core.classifier.DecisionLearning.NONE, 4, 1000);

        QuarantineService.BulkRelease all = ok(paged.releaseBulk("news@shop.example", null, "analyst", "x"));

        assertThat(all.released()).containsExactlyInAnyOrderElementsOf(own);
        assertThat(all.matched()).isEqualTo(9);
        assertThat(all.examined()).isEqualTo(18);
        assertThat(all.more()).isFalse();
        for (String id : others) {
            assertThat(store.find(id).orElseThrow().state()).isEqualTo(MessageState.QUARANTINED);
        }

        // a limit of 8 looked at per request: two pages, then it stops and says so; a second request goes on
        for (String id : others) {
            store.transition(id, MessageState.QUEUED);
        }
        List<String> flagged = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            flagged.add(commit(MessageState.QUARANTINED, "x" + i + "@spam.example", List.of(Finding.of("LINK_SHORTENER", "bit.ly")),
                    "sato@example.co.jp").id());
        }
        QuarantineService limited = new QuarantineService(store, requests, FindingCatalogue.builtIn(), AuditTrail.LOG_ONLY,
                Clock.systemUTC(), io.mamori.core.classifier.DecisionLearning.NONE, 4, 8);
        QuarantineService.BulkRelease first = ok(limited.releaseBulk(null, "LINK_SHORTENER", "analyst", "x"));
        assertThat(first.released()).hasSize(8);
        assertThat(first.more()).isTrue();
        QuarantineService.BulkRelease second = ok(limited.releaseBulk(null, "LINK_SHORTENER", "analyst", "x"));
        assertThat(second.released()).hasSize(2);
        assertThat(second.more()).isFalse();
        assertThat(java.util.stream.Stream.concat(first.released().stream(), second.released().stream()))
                .containsExactlyInAnyOrderElementsOf(flagged);
    }

    /** Analysts' decisions teach the content model. */
    @org.junit.jupiter.api.Nested
    class Learning {
        Path model;
        ContentLearner learner;
        QuarantineService learning;

        @BeforeEach
        void openLearner() throws Exception {
            model = dir.resolve("content-model.tsv");
            learner = new ContentLearner(store, model);
            learning = new QuarantineService(store, requests, FindingCatalogue.builtIn(), AuditTrail.LOG_ONLY, Clock.systemUTC(),
                    learner);
        }

        @AfterEach
        void closeLearner() {
            learner.close();
        }

        @Test
        void releasesTeachLegitimateAndDeletionsPhishingAndTheModelFileIsWritten() throws Exception {
            StoredMessage invoice = commitText(MessageState.QUARANTINED, Direction.INBOUND, "Please find the quarterly invoice attached");
            StoredMessage lure = commitText(MessageState.HELD, Direction.INBOUND, "Verify your mailbox password immediately");
            StoredMessage outbound = commitText(MessageState.QUARANTINED, Direction.OUTBOUND, "Our quarterly figures");
            StoredMessage queued = commitText(MessageState.QUEUED, Direction.INBOUND, "Lunch menu for Friday");

            ok(learning.release(invoice.id(), "analyst@example.co.jp", "10.0.0.9"));
            ok(learning.delete(lure.id(), "analyst@example.co.jp", "10.0.0.9"));
            ok(learning.release(outbound.id(), "analyst@example.co.jp", "10.0.0.9"));
            ok(learning.delete(queued.id(), "analyst@example.co.jp", "10.0.0.9"));
            assertThat(learning.release(invoice.id(), "analyst@example.co.jp", "10.0.0.9"))
                    .as("refused: already released").isInstanceOf(Result.Refused.class);

            ContentModel learnt = learner.model();
            assertThat(learnt.legitimateMessages()).as("the inbound release only").isEqualTo(1);
            assertThat(learnt.phishingMessages()).as("the held inbound message deleted").isEqualTo(1);
            assertThat(learnt.score(List.of("password", "mailbox", "verify")).probability()).isGreaterThan(0.5);
            assertThat(learnt.score(List.of("quarterly", "invoice", "attached")).probability()).isLessThan(0.5);

            learner.write();
            ContentModel inFile = ContentModelFile.read(model);
            assertThat(inFile.phishingMessages()).isEqualTo(1);
            assertThat(inFile.legitimateMessages()).isEqualTo(1);
        }

        @Test
        void bulkReleasesAndApprovedRequestsTeachLegitimate() throws Exception {
            for (int i = 0; i < 3; i++) {
                commitText(MessageState.QUARANTINED, Direction.INBOUND, "Monthly statement number " + i + " from our accounting team");
            }
            QuarantineService.BulkRelease bulk = ok(learning.releaseBulk(null, "LURE_COMBINED", "analyst", "10.0.0.9"));
            assertThat(bulk.released()).hasSize(3);

            StoredMessage asked = commitText(MessageState.QUARANTINED, Direction.INBOUND, "Minutes of the supplier meeting");
            ReleaseRequest request = ok(learning.requestRelease(asked.id(), "sato@example.co.jp", "", "api", "10.0.0.5"));
            ok(learning.approve(request.id(), "ok", "analyst", "10.0.0.9"));

            assertThat(learner.model().legitimateMessages()).isEqualTo(4);
            assertThat(learner.model().phishingMessages()).isZero();
        }

        @Test
        void aBulkReleaseTeachesFromAtMostItsFirstLessonsAndReleasesEveryMessage() throws Exception {
            int copies = QuarantineService.BULK_LESSONS + 5;
            for (int i = 0; i < copies; i++) {
                commitText(MessageState.QUARANTINED, Direction.INBOUND, "Weekly newsletter of the supplier portal");
            }
            QuarantineService.BulkRelease bulk = ok(learning.releaseBulk("a@sender.example", null, "analyst", "10.0.0.9"));

            assertThat(bulk.released()).hasSize(copies);
            assertThat(learner.model().legitimateMessages()).isEqualTo(QuarantineService.BULK_LESSONS);
        }

        @Test
        void aModelRewrittenMeanwhileByMamoriLearnKeepsItsCountsAndGetsTheNewLessons() throws Exception {
            StoredMessage lure = commitText(MessageState.QUARANTINED, Direction.INBOUND, "Your parcel is waiting, pay the customs fee");
            ContentModel.Builder retrained = new ContentModel.Builder();
            for (int i = 0; i < 70; i++) {
                retrained.learn(List.of("agenda"), false).learn(List.of("parcel"), true);
            }
            try (OutputStream out = Files.newOutputStream(model)) {
                retrained.build().write(out, 1);
            }
            Files.setLastModifiedTime(model, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));

            ok(learning.delete(lure.id(), "analyst", "10.0.0.9"));
            learner.write();

            ContentModel inFile = ContentModelFile.read(model);
            assertThat(inFile.phishingMessages()).isEqualTo(71);
            assertThat(inFile.legitimateMessages()).isEqualTo(70);
            assertThat(inFile.trained()).isTrue();
        }
    }
}
