package io.mamori.core.scan;

import io.mamori.core.analysis.AnalysisPipeline;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.analysis.RawMessage;
import io.mamori.core.auth.SenderAuthSettings;
import io.mamori.core.auth.TableDnsResolver;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.MessageParser;
import io.mamori.core.policy.Policy;
import io.mamori.core.policy.PolicyEngine;
import io.mamori.core.policy.PolicyLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The whole inbound scan as the gateway runs it (every shipped analyzer, the catalogue's composites, the shipped
 * default policy with block list zones that list nothing) for the detection tests of this package. DNS answers come
 * from an empty table, so sender authentication and the block lists add nothing. The pool's threads are daemons and
 * live as long as the test JVM.
 */
final class ShippedScanner {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2024-04-01T00:00:00Z"), ZoneOffset.UTC);
    private static final ExecutorService POOL = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "shipped-scanner");
        t.setDaemon(true);
        return t;
    });
    private static final FindingCatalogue CATALOGUE = FindingCatalogue.builtIn();
    private static final Policy POLICY = withBlocklists(new PolicyLoader(CATALOGUE).defaults());
    private static final MessageScanner SCANNER = new MessageScanner(new MessageParser(),
            new AnalysisPipeline(Analyzers.shipped(new Analyzers.Ports(TableDnsResolver.builder().build(),
                    SenderAuthSettings.defaults(), CLOCK, Optional.empty(), () -> POLICY)), CATALOGUE,
                    Duration.ofSeconds(budgetSeconds()), POOL),
            new PolicyEngine(CATALOGUE), () -> POLICY);

    private ShippedScanner() {
    }

    /**
     * The shipped default with two block list zones, which the empty table lists nothing in: the block list analyzer
     * then reads every message's sender and link domains (and its look-ups answer NXDOMAIN), so the detection tests
     * and the fuzzing cover it without a verdict changing.
     */
    private static Policy withBlocklists(Policy p) {
        return new Policy(p.version(), p.organisation(), p.inbound(), p.outbound(), p.tag(), p.antivirus(), p.protection(),
                p.attachments(), p.disarm(), p.lists(), p.firstContact(), p.access(), p.analysis(),
                new Policy.Blocklists(List.of("zen.blocklist.test"), List.of("dbl.blocklist.test", "uri.blocklist.test")), p.sendAs());
    }

    /**
     * Each analyzer's time, as the gateway gives it (10 s), or {@code MAMORI_ANALYZER_SECONDS}: bench/fuzz.sh
     * --libraries raises it, since instrumenting the libraries' classes as they load (thousands at the first messages)
     * and their instrumented code are many times slower than the gateway.
     */
    private static long budgetSeconds() {
        String set = System.getenv("MAMORI_ANALYZER_SECONDS");
        return set == null || set.isBlank() ? 10 : Long.parseLong(set.strip());
    }

    /** Scans a test fixture as inbound mail to {@code keiri@example.co.jp}. */
    static MessageScanner.ScanResult scan(String fixture) throws IOException {
        return scan(Fixtures.bytes(fixture));
    }

    /** A message written by the test itself (e.g. one with an archive the test encrypts). */
    static MessageScanner.ScanResult scan(byte[] raw) throws IOException {
        Envelope envelope = new Envelope(Direction.INBOUND, "", List.of("keiri@example.co.jp"), "", "", null, false,
                CLOCK.instant());
        return SCANNER.scan(envelope, new ByteArrayInputStream(raw), RawMessage.of(raw));
    }
}
