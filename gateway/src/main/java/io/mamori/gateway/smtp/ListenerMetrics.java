package io.mamori.gateway.smtp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Meters of one listener, all tagged {@code listener=inbound|outbound}:
 * {@code mamori.smtp.connections{result=accepted|rejected}}, {@code mamori.smtp.sessions.active},
 * {@code mamori.smtp.tls{result=established|failed}}, {@code mamori.smtp.auth{result=success|failure}} and
 * {@code mamori.smtp.messages{result=accepted|refused|failed|rejected_size|rejected_line_length}}.
 */
final class ListenerMetrics {

    private final MeterRegistry registry;
    private final String listener;
    private final AtomicInteger active = new AtomicInteger();
    private final Counter accepted;
    private final Counter rejected;
    private final Counter tooManyErrors;
    private final Counter tlsEstablished;
    private final Counter tlsFailed;
    private final Counter authSuccess;
    private final Counter authFailure;

    ListenerMetrics(MeterRegistry registry, String listener) {
        this.registry = registry;
        this.listener = listener;
        accepted = counter("mamori.smtp.connections", "accepted");
        rejected = counter("mamori.smtp.connections", "rejected");
        tooManyErrors = counter("mamori.smtp.connections", "too-many-errors");
        tlsEstablished = counter("mamori.smtp.tls", "established");
        tlsFailed = counter("mamori.smtp.tls", "failed");
        authSuccess = counter("mamori.smtp.auth", "success");
        authFailure = counter("mamori.smtp.auth", "failure");
        Gauge.builder("mamori.smtp.sessions.active", active, AtomicInteger::get)
                .tag("listener", listener)
                .description("SMTP sessions currently open")
                .register(registry);
    }

    private Counter counter(String name, String result) {
        return Counter.builder(name).tag("listener", listener).tag("result", result).register(registry);
    }

    void sessionStarted() {
        accepted.increment();
        active.incrementAndGet();
    }

    void sessionEnded() {
        active.decrementAndGet();
    }

    void connectionRejected() {
        rejected.increment();
    }

    /** A session closed for too many error replies. */
    void tooManyErrors() {
        tooManyErrors.increment();
    }

    void tlsEstablished() {
        tlsEstablished.increment();
    }

    void tlsFailed() {
        tlsFailed.increment();
    }

    void authSucceeded() {
        authSuccess.increment();
    }

    void authFailed() {
        authFailure.increment();
    }

    void message(String result) {
        counter("mamori.smtp.messages", result).increment();
    }

    int activeSessions() {
        return active.get();
    }
}
