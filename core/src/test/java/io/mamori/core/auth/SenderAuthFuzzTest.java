package io.mamori.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.RawMessage;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.MessageParser;
import io.mamori.core.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Coverage-guided fuzzing of sender authentication (SPF, DKIM, ARC, DMARC) on any message, against the DNS table of
 * the RFC 6376/8463 example keys (football.example.com): the evaluation returns a whole result without an exception,
 * and never sends the same question to the DNS twice (the questions asked ahead and those asked as the checks go
 * meet in the message's cache under one name, whatever letter case or trailing dot the message wrote). In the test
 * suite this runs the inputs under {@code SenderAuthFuzzTestInputs/}; {@code bench/fuzz.sh} fuzzes it.
 */
class SenderAuthFuzzTest {

    /** The table, with every question it was asked, as the resolver normalises names. */
    private static final class Recording implements DnsResolver {
        private final TableDnsResolver table = SenderAuthAnalyzerTest.football().build();
        private final List<String> asked = new ArrayList<>();

        @Override
        public synchronized DnsAnswer lookup(String name, Type type) {
            asked.add(type + " " + TableDnsResolver.normal(name.toLowerCase(java.util.Locale.ROOT)));
            return table.lookup(name, type);
        }

        @Override
        public CompletableFuture<DnsAnswer> lookupAsync(String name, Type type) {
            return CompletableFuture.completedFuture(lookup(name, type));
        }
    }

    @FuzzTest(maxDuration = "30s")
    void evaluatesAnyMessage(@NotNull byte[] raw) throws Exception {
        Recording dns = new Recording();
        SenderAuthAnalyzer analyzer = SenderAuthAnalyzerTest.analyzer(dns);
        ParsedMessage message;
        try {
            message = new MessageParser().parse(new ByteArrayInputStream(raw));
        } catch (java.io.IOException e) {
            return; // a message the parser refuses (over its limits) never reaches the analyzers
        }
        Envelope envelope = new Envelope(Direction.INBOUND, raw.length % 2 == 0 ? "joe@football.example.com" : "",
                List.of("keiri@example.co.jp"), raw.length % 3 == 0 ? "2001:db8::9" : "192.0.2.9", "mail.football.example.com",
                null, true, SenderAuthAnalyzerTest.CLOCK.instant());
        try (message) {
            SenderAuthResult r = analyzer.evaluate(new AnalysisInput(envelope, message, RawMessage.of(raw)));
            assertThat(r.spf()).isNotNull();
            assertThat(r.dkim()).doesNotContainNull();
            assertThat(r.dmarc()).isNotNull();
            assertThat(r.arc()).isNotNull();
        }
        Set<String> distinct = new HashSet<>(dns.asked);
        assertThat(dns.asked).as("no question asked twice").hasSameSizeAs(distinct);
    }
}
