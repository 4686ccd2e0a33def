package io.mamori.gateway.smtp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** A raw SMTP client on a real socket: sends lines, reads whole (multi-line) replies. */
final class SmtpDialogue implements AutoCloseable {

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    SmtpDialogue(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Reads one reply; multi-line replies are returned joined with "\n". Null if the server closed. */
    String reply() throws IOException {
        StringBuilder all = new StringBuilder();
        while (true) {
            String line = line();
            if (line == null) {
                return all.length() == 0 ? null : all.toString();
            }
            if (all.length() > 0) {
                all.append('\n');
            }
            all.append(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return all.toString();
            }
        }
    }

    String command(String line) throws IOException {
        send(line);
        return reply();
    }

    void send(String line) throws IOException {
        raw((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    void raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** STARTTLS, then the handshake with the given client context; returns the TLS socket. */
    SSLSocket startTls(SSLContext client, String... protocols) throws IOException {
        String reply = command("STARTTLS");
        if (!reply.startsWith("220 2.0.0")) {
            throw new IOException("STARTTLS refused: " + reply);
        }
        SSLSocket ssl = (SSLSocket) client.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
        if (protocols.length > 0) {
            ssl.setEnabledProtocols(protocols);
        }
        ssl.startHandshake();
        socket = ssl;
        in = new BufferedInputStream(ssl.getInputStream());
        out = ssl.getOutputStream();
        return ssl;
    }

    Socket socket() {
        return socket;
    }

    InputStream input() {
        return in;
    }

    /** Whether the server closed the connection (EOF or reset) within the socket timeout. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = buffer.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            buffer.write(c);
        }
        return buffer.size() == 0 ? null : buffer.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
