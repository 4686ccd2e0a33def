package io.mamori.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;

/**
 * A tiny authoritative DNS server on loopback UDP for tests (test code only): answers from a table built
 * with {@link #add(Record)} and friends, NXDOMAIN for names it has no record of, and any rcode scripted
 * with {@link #fail(String, int)}. It never recurses and never talks to another server.
 *
 * <p>Thread-safe; one thread answers queries in order.
 */
public final class TestDnsServer implements AutoCloseable {

    private static final long TTL = 300;

    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final Map<Name, Integer> failures = new ConcurrentHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();
    private DatagramSocket socket;

    public TestDnsServer start() {
        try {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread t = new Thread(this::serve, "test-dns-" + socket.getLocalPort());
        t.setDaemon(true);
        t.start();
        return this;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public int queryCount() {
        return queries.get();
    }

    public TestDnsServer add(Record record) {
        records.computeIfAbsent(record.getName(), n -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(record);
        return this;
    }

    public TestDnsServer mx(String domain, int preference, String host) {
        return add(new MXRecord(name(domain), DClass.IN, TTL, preference, name(host)));
    }

    public TestDnsServer a(String host, String address) {
        try {
            return add(new ARecord(name(host), DClass.IN, TTL, InetAddress.getByName(address)));
        } catch (IOException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    public TestDnsServer aaaa(String host, String address) {
        try {
            return add(new AAAARecord(name(host), DClass.IN, TTL, InetAddress.getByName(address)));
        } catch (IOException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    /** Answers every query for {@code name} with {@code rcode} (e.g. {@link Rcode#SERVFAIL}). */
    public TestDnsServer fail(String name, int rcode) {
        failures.put(name(name), rcode);
        return this;
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
        }
    }

    private static Name name(String s) {
        try {
            return Name.fromString(s.endsWith(".") ? s : s + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buf, buf.length);
                socket.receive(packet);
                queries.incrementAndGet();
                byte[] answer;
                try {
                    answer = respond(new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength())));
                } catch (IOException malformed) {
                    continue;
                }
                socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    private byte[] respond(Message query) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        Record question = query.getQuestion();
        if (question == null) {
            response.getHeader().setRcode(Rcode.FORMERR);
            return response.toWire();
        }
        response.addRecord(question, Section.QUESTION);
        Integer failure = failures.get(question.getName());
        if (failure != null) {
            response.getHeader().setRcode(failure);
            return response.toWire();
        }
        List<Record> known = records.get(question.getName());
        if (known == null) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            return response.toWire();
        }
        List<Record> answers = new ArrayList<>();
        for (Record r : known) {
            if (r.getType() == question.getType()) {
                answers.add(r);
            }
        }
        answers.forEach(r -> response.addRecord(r, Section.ANSWER));
        return response.toWire(512);
    }
}
