package io.mamori.gateway.smtp;

import io.mamori.core.message.Envelope;
import io.mamori.gateway.receive.MessageReceiver;
import io.mamori.gateway.receive.ReceiveResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test edge for the {@link MessageReceiver} port: reads DATA to its end like the real pipeline, records what
 * it got, and answers as told (accept by default).
 */
final class RecordingReceiver implements MessageReceiver {

    record Received(Envelope envelope, byte[] data) {
    }

    /** What to do with the next messages. */
    interface Behaviour {
        ReceiveResult after(Envelope envelope, byte[] data) throws IOException;
    }

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicReference<Behaviour> behaviour = new AtomicReference<>();
    private final AtomicReference<Throwable> readFailure = new AtomicReference<>();
    private final AtomicInteger counter = new AtomicInteger();

    RecordingReceiver() {
        acceptAll();
    }

    void acceptAll() {
        behaviour.set((envelope, data) -> new ReceiveResult.Accepted("Q" + counter.incrementAndGet()));
    }

    void answer(Behaviour next) {
        behaviour.set(next);
    }

    @Override
    public ReceiveResult receive(Envelope envelope, InputStream data) throws IOException {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try {
            data.transferTo(copy);
        } catch (IOException e) {
            readFailure.set(e);
            throw e;
        }
        byte[] bytes = copy.toByteArray();
        received.add(new Received(envelope, bytes));
        return behaviour.get().after(envelope, bytes);
    }

    Received take() throws InterruptedException {
        Received next = received.poll(10, TimeUnit.SECONDS);
        if (next == null) {
            throw new AssertionError("no message arrived at the receiver");
        }
        return next;
    }

    boolean nothingReceived() {
        return received.isEmpty();
    }

    /** The exception the listener's DATA stream threw at the receiver, if any. */
    Throwable readFailure() {
        return readFailure.get();
    }
}
