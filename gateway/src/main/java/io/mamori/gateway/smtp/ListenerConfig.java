package io.mamori.gateway.smtp;

import io.mamori.core.message.Direction;
import io.mamori.core.network.Cidr;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Configuration of one SMTP listener; validated on construction, so an invalid value refuses to start and
 * the message names the field.
 *
 * @param role                    {@link Direction#INBOUND}: MX, accepts mail only for internal domains, never
 *                                offers AUTH; {@link Direction#OUTBOUND}: smart host, relays for trusted
 *                                networks or after AUTH (offered only after STARTTLS)
 * @param bindAddress             address to listen on
 * @param port                    TCP port; 0 picks a free one ({@link SmtpListener#port()} tells which)
 * @param hostname                name in the greeting and the EHLO reply
 * @param maxMessageSize          largest message in bytes (after dot-unstuffing), advertised as SIZE
 * @param maxRecipients           RCPT commands accepted per transaction
 * @param maxLineLength           longest line in DATA in bytes including CRLF (RFC 5321 §4.5.3.1.6: 1000).
 *                                Command lines are limited separately by subethasmtp's reader to 997
 *                                characters plus CRLF (RFC 5321 §4.5.3.1.4 requires only 512).
 * @param commandTimeout          idle time allowed while waiting for a command (RFC 5321 §4.5.3.2.7: 5 min)
 * @param dataTimeout             idle time allowed between reads within DATA (RFC 5321 §4.5.3.2.6: 3 min)
 * @param maxConnections          concurrent sessions in total
 * @param maxConnectionsPerClient concurrent sessions from one IP address
 * @param requireTls              refuse MAIL, RCPT, DATA and AUTH before STARTTLS ({@code 530 5.7.0})
 * @param trustedNetworks         clients that may relay on the outbound listener without AUTH
 */
public record ListenerConfig(
        Direction role,
        InetAddress bindAddress,
        int port,
        String hostname,
        long maxMessageSize,
        int maxRecipients,
        int maxLineLength,
        Duration commandTimeout,
        Duration dataTimeout,
        int maxConnections,
        int maxConnectionsPerClient,
        boolean requireTls,
        List<Cidr> trustedNetworks) {

    public static final long DEFAULT_MAX_MESSAGE_SIZE = 50L * 1024 * 1024;
    public static final int DEFAULT_MAX_RECIPIENTS = 100;
    public static final int DEFAULT_MAX_LINE_LENGTH = 1000;
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_DATA_TIMEOUT = Duration.ofMinutes(3);
    public static final int DEFAULT_MAX_CONNECTIONS = 200;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 20;

    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");

    public ListenerConfig {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(bindAddress, "bindAddress");
        require(port >= 0 && port <= 65535, "port must be 0..65535: " + port);
        require(hostname != null && HOSTNAME.matcher(hostname).matches(),
                "hostname must be a DNS name (letters, digits, '.', '-'): " + hostname);
        require(maxMessageSize >= 1024 && maxMessageSize <= Integer.MAX_VALUE,
                "maxMessageSize must be 1024.." + Integer.MAX_VALUE + " bytes: " + maxMessageSize);
        require(maxRecipients >= 1 && maxRecipients <= 100_000, "maxRecipients must be 1..100000: " + maxRecipients);
        require(maxLineLength >= 1000 && maxLineLength <= 1_000_000,
                "maxLineLength must be 1000..1000000 (RFC 5321 requires at least 1000): " + maxLineLength);
        require(commandTimeout != null && !commandTimeout.isNegative() && !commandTimeout.isZero()
                && commandTimeout.toMillis() <= Integer.MAX_VALUE, "commandTimeout must be positive: " + commandTimeout);
        require(dataTimeout != null && !dataTimeout.isNegative() && !dataTimeout.isZero()
                && dataTimeout.toMillis() <= Integer.MAX_VALUE, "dataTimeout must be positive: " + dataTimeout);
        require(maxConnections >= 1 && maxConnections <= 100_000, "maxConnections must be 1..100000: " + maxConnections);
        require(maxConnectionsPerClient >= 1 && maxConnectionsPerClient <= maxConnections,
                "maxConnectionsPerClient must be 1..maxConnections: " + maxConnectionsPerClient);
        trustedNetworks = List.copyOf(Objects.requireNonNull(trustedNetworks, "trustedNetworks"));
    }

    /** Defaults from the issue: 50 MiB, 100 recipients, 1000-byte DATA lines, 5 min / 3 min, 200 / 20 connections. */
    public static ListenerConfig defaults(Direction role, InetAddress bindAddress, int port, String hostname) {
        return new ListenerConfig(role, bindAddress, port, hostname, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_RECIPIENTS,
                DEFAULT_MAX_LINE_LENGTH, DEFAULT_COMMAND_TIMEOUT, DEFAULT_DATA_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
                DEFAULT_MAX_CONNECTIONS_PER_CLIENT, false, List.of());
    }

    public ListenerConfig withMaxMessageSize(long bytes) {
        return new ListenerConfig(role, bindAddress, port, hostname, bytes, maxRecipients, maxLineLength,
                commandTimeout, dataTimeout, maxConnections, maxConnectionsPerClient, requireTls, trustedNetworks);
    }

    public ListenerConfig withMaxRecipients(int recipients) {
        return new ListenerConfig(role, bindAddress, port, hostname, maxMessageSize, recipients, maxLineLength,
                commandTimeout, dataTimeout, maxConnections, maxConnectionsPerClient, requireTls, trustedNetworks);
    }

    public ListenerConfig withMaxLineLength(int bytes) {
        return new ListenerConfig(role, bindAddress, port, hostname, maxMessageSize, maxRecipients, bytes,
                commandTimeout, dataTimeout, maxConnections, maxConnectionsPerClient, requireTls, trustedNetworks);
    }

    public ListenerConfig withTimeouts(Duration command, Duration data) {
        return new ListenerConfig(role, bindAddress, port, hostname, maxMessageSize, maxRecipients, maxLineLength,
                command, data, maxConnections, maxConnectionsPerClient, requireTls, trustedNetworks);
    }

    public ListenerConfig withConnectionLimits(int total, int perClient) {
        return new ListenerConfig(role, bindAddress, port, hostname, maxMessageSize, maxRecipients, maxLineLength,
                commandTimeout, dataTimeout, total, perClient, requireTls, trustedNetworks);
    }

    public ListenerConfig withRequireTls(boolean require) {
        return new ListenerConfig(role, bindAddress, port, hostname, maxMessageSize, maxRecipients, maxLineLength,
                commandTimeout, dataTimeout, maxConnections, maxConnectionsPerClient, require, trustedNetworks);
    }

    public ListenerConfig withTrustedNetworks(List<Cidr> networks) {
        return new ListenerConfig(role, bindAddress, port, hostname, maxMessageSize, maxRecipients, maxLineLength,
                commandTimeout, dataTimeout, maxConnections, maxConnectionsPerClient, requireTls, networks);
    }

    /** Whether {@code client} is in one of the trusted networks. */
    public boolean trusts(InetAddress client) {
        for (Cidr network : trustedNetworks) {
            if (network.contains(client)) {
                return true;
            }
        }
        return false;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
