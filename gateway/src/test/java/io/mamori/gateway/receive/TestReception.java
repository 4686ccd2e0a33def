package io.mamori.gateway.receive;

import io.mamori.core.analysis.AnalysisPipeline;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.attachment.AttachmentContentAnalyzer;
import io.mamori.core.message.MessageParser;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyEngine;
import io.mamori.core.policy.PolicyLoader;
import io.mamori.core.scan.Analyzers;
import io.mamori.core.scan.MessageScanner;
import io.mamori.core.verdict.MessageRewriter;
import io.mamori.gateway.contact.ContactRecorder;
import io.mamori.gateway.quarantine.ReleaseRequests;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/** A reception pipeline as the gateway wires it (the local analyzers plus attachment content), for the tests here. */
final class TestReception {

    static final String HOST = "mx.example.co.jp";

    private TestReception() {
    }

    /** A real store (embedded H2, encrypted content) under {@code dir} and an analysis pool, closed together. */
    record Rig(com.zaxxer.hikari.HikariDataSource dataSource, io.mamori.gateway.store.JdbcMessageStore store,
            ExecutorService analysis) implements AutoCloseable {

        static Rig open(Path dir) throws Exception {
            com.zaxxer.hikari.HikariDataSource dataSource = io.mamori.gateway.store.Databases.open(
                    io.mamori.gateway.store.Databases.Settings.embedded(dir.resolve("db")));
            io.mamori.gateway.store.JdbcMessageStore store = new io.mamori.gateway.store.JdbcMessageStore(dataSource,
                    io.mamori.gateway.crypto.MasterKeys.openOrCreate(dir.resolve("keys")),
                    io.mamori.gateway.store.JdbcMessageStore.Settings.under(dir), Clock.systemUTC());
            return new Rig(dataSource, store, java.util.concurrent.Executors.newFixedThreadPool(2));
        }

        @Override
        public void close() {
            store.close();
            dataSource.close();
            analysis.shutdownNow();
        }
    }

    /**
     * A pipeline over the rig's store and pool, temporary files under {@code dir}.
     *
     * @param contacts         sender history recorder, or {@code null}
     * @param passwordMailWork where password mails' re-analyses run, or {@code null} for none
     * @param requests         release requests the gateway approves for messages committed again, or {@code null}
     * @param more             analyzers run besides the gateway's (e.g. one that acts on the store mid-analysis)
     */
    static ReceptionPipeline pipeline(Rig rig, Path dir, String policyText, ContactRecorder contacts,
            Executor passwordMailWork, ReleaseRequests requests, List<Analyzer> more) throws Exception {
        io.mamori.gateway.store.JdbcMessageStore store = rig.store();
        ExecutorService analysis = rig.analysis();
        FindingCatalogue catalogue = FindingCatalogue.builtIn();
        Policy policy = new PolicyLoader(catalogue).parse(policyText, "policy.yaml");
        PolicyEngine engine = new PolicyEngine(catalogue);
        List<Analyzer> analyzers = new ArrayList<>(Analyzers.local());
        analyzers.add(new AttachmentContentAnalyzer());
        analyzers.addAll(more);
        MessageScanner scanner = new MessageScanner(new MessageParser(),
                new AnalysisPipeline(analyzers, catalogue, Duration.ofSeconds(20), analysis), engine, () -> policy);
        return new ReceptionPipeline(store, scanner, engine, () -> policy, catalogue, new MessageRewriter(dir),
                HOST, Clock.systemUTC(), new SimpleMeterRegistry(), contacts, passwordMailWork, requests);
    }
}
