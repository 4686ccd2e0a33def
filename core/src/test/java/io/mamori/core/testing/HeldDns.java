package io.mamori.core.testing;

import io.mamori.core.auth.DnsAnswer;
import io.mamori.core.auth.DnsResolver;
import io.mamori.core.auth.TableDnsResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A DNS port whose answers the test gives by hand: each question waits, as a real resolver's would, until
 * {@link #answerAll} takes the answers from the table. So the test sees which questions were out at once. Only
 * {@link #lookupAsync} is answered (the code under test must not wait for one answer before sending the next).
 */
public final class HeldDns implements DnsResolver {

    private record Question(String name, Type type, CompletableFuture<DnsAnswer> answer) {
    }

    private final TableDnsResolver table;
    private final List<Question> pending = new ArrayList<>();

    public HeldDns(TableDnsResolver table) {
        this.table = table;
    }

    @Override
    public DnsAnswer lookup(String name, Type type) {
        throw new AssertionError("asked " + name + " with lookup; this resolver only answers lookupAsync");
    }

    @Override
    public synchronized CompletableFuture<DnsAnswer> lookupAsync(String name, Type type) {
        CompletableFuture<DnsAnswer> f = new CompletableFuture<>();
        pending.add(new Question(name, type, f));
        return f;
    }

    /** Waits until {@code n} questions are out and unanswered, then answers them all; their names, as asked. */
    public List<String> answerAll(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            synchronized (this) {
                if (pending.size() >= n) {
                    List<Question> out = List.copyOf(pending);
                    pending.clear();
                    out.forEach(q -> q.answer().complete(table.lookup(q.name(), q.type())));
                    return out.stream().map(Question::name).toList();
                }
            }
            if (System.nanoTime() > deadline) {
                synchronized (this) {
                    throw new AssertionError("only " + pending.size() + " of " + n + " questions out: "
                            + pending.stream().map(Question::name).toList());
                }
            }
            Thread.sleep(5);
        }
    }

    public synchronized int pendingCount() {
        return pending.size();
    }
}
