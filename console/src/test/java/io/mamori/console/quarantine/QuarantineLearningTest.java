package io.mamori.console.quarantine;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.mamori.console.audit.AuditTrail;
import io.mamori.console.quarantine.QuarantineService.Result;
import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.classifier.ContentLearner;
import io.mamori.core.classifier.ContentModel;
import io.mamori.core.classifier.ContentModelFile;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.NewMessage;
import io.mamori.core.store.Spool;
import io.mamori.core.store.StoredMessage;
import io.mamori.gateway.crypto.MasterKeys;
import io.mamori.gateway.quarantine.ReleaseRequests;
import io.mamori.gateway.quarantine.ReleaseRequests.ReleaseRequest;
import io.mamori.gateway.store.Databases;
import io.mamori.gateway.store.JdbcMessageStore;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Analysts' decisions teach the content model, on a real H2 store. */
class QuarantineLearningTest {

    @TempDir
    Path dir;
    HikariDataSource dataSource;
    JdbcMessageStore store;
    ReleaseRequests requests;
    ContentLearner learner;
    QuarantineService service;
    Path model;

    @BeforeEach
    void open() throws Exception {
        dataSource = Databases.open(Databases.Settings.embedded(dir.resolve("db")));
        store = new JdbcMessageStore(dataSource, MasterKeys.openOrCreate(dir.resolve("keys")), JdbcMessageStore.Settings.under(dir),
                Clock.systemUTC());
        requests = new ReleaseRequests(dataSource, Clock.systemUTC());
        model = dir.resolve("content-model.tsv");
        learner = new ContentLearner(store, model);
        service = new QuarantineService(store, requests, FindingCatalogue.builtIn(), AuditTrail.LOG_ONLY, Clock.systemUTC(),
                learner);
    }

    @AfterEach
    void close() {
        learner.close();
        store.close();
        dataSource.close();
    }

    private StoredMessage commit(MessageState state, Direction direction, String body) throws Exception {
        try (Spool spool = store.openSpool()) {
            try (OutputStream out = spool.output()) {
                out.write(("From: a@sender.example\r\nTo: sato@example.co.jp\r\nSubject: notice\r\n\r\n" + body + "\r\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            Envelope e = new Envelope(direction, "a@sender.example", List.of("sato@example.co.jp"), "192.0.2.10", "mx", null,
                    true, java.time.Instant.now());
            return store.commit(spool, new NewMessage(e, "notice", new Verdict(Action.QUARANTINE, 10,
                    List.of(Finding.of("LURE_COMBINED", "x"))), state), "");
        }
    }

    private static <T> T ok(Result<T> result) {
        assertThat(result).isInstanceOf(Result.Ok.class);
        return ((Result.Ok<T>) result).value();
    }

    @Test
    void releasesTeachLegitimateAndDeletionsPhishingAndTheModelFileIsWritten() throws Exception {
        StoredMessage invoice = commit(MessageState.QUARANTINED, Direction.INBOUND, "Please find the quarterly invoice attached");
        StoredMessage lure = commit(MessageState.HELD, Direction.INBOUND, "Verify your mailbox password immediately");
        StoredMessage outbound = commit(MessageState.QUARANTINED, Direction.OUTBOUND, "Our quarterly figures");
        StoredMessage queued = commit(MessageState.QUEUED, Direction.INBOUND, "Lunch menu for Friday");

        ok(service.release(invoice.id(), "analyst@example.co.jp", "10.0.0.9"));
        ok(service.delete(lure.id(), "analyst@example.co.jp", "10.0.0.9"));
        ok(service.release(outbound.id(), "analyst@example.co.jp", "10.0.0.9"));
        ok(service.delete(queued.id(), "analyst@example.co.jp", "10.0.0.9"));
        assertThat(service.release(invoice.id(), "analyst@example.co.jp", "10.0.0.9"))
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
            commit(MessageState.QUARANTINED, Direction.INBOUND, "Monthly statement number " + i + " from our accounting team");
        }
        QuarantineService.BulkRelease bulk = ok(service.releaseBulk(null, "LURE_COMBINED", "analyst", "10.0.0.9"));
        assertThat(bulk.released()).hasSize(3);

        StoredMessage asked = commit(MessageState.QUARANTINED, Direction.INBOUND, "Minutes of the supplier meeting");
        ReleaseRequest request = ok(service.requestRelease(asked.id(), "sato@example.co.jp", "", "api", "10.0.0.5"));
        ok(service.approve(request.id(), "ok", "analyst", "10.0.0.9"));

        assertThat(learner.model().legitimateMessages()).isEqualTo(4);
        assertThat(learner.model().phishingMessages()).isZero();
    }

    @Test
    void aModelRewrittenMeanwhileByMamoriLearnKeepsItsCountsAndGetsTheNewLessons() throws Exception {
        StoredMessage lure = commit(MessageState.QUARANTINED, Direction.INBOUND, "Your parcel is waiting, pay the customs fee");
        ContentModel.Builder retrained = new ContentModel.Builder();
        for (int i = 0; i < 70; i++) {
            retrained.learn(List.of("agenda"), false).learn(List.of("parcel"), true);
        }
        try (OutputStream out = Files.newOutputStream(model)) {
            retrained.build().write(out, 1);
        }
        Files.setLastModifiedTime(model, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));

        ok(service.delete(lure.id(), "analyst", "10.0.0.9"));
        learner.write();

        ContentModel inFile = ContentModelFile.read(model);
        assertThat(inFile.phishingMessages()).isEqualTo(71);
        assertThat(inFile.legitimateMessages()).isEqualTo(70);
        assertThat(inFile.trained()).isTrue();
    }
}
