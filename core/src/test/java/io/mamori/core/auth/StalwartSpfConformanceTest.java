package io.mamori.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.auth.DnsResolver.Type;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SPF suite of Stalwart's mail-auth ({@code conformance/stalwart/spf/*.yml}: RFC 7208's rules and examples, written
 * independently of the openspf suite) against {@link SpfEvaluator}. The files are not YAML a parser accepts (a scenario
 * lists {@code spf:} many times), so they are read line by line as their own driver reads them: scenarios separated by
 * {@code ---}; {@code spf:}/{@code exp:} a TXT record, {@code a:}/{@code aaaa:} addresses, {@code ptr:} an address's
 * host names, {@code mx:} addresses whose exchanges the driver names {@code mx.<address>.<position>}; then per test the
 * HELO name ({@code domain:}), the MAIL FROM ({@code sender:}), the client address and the expected result with, for a
 * fail, the explanation. The driver's resolver answers a name beginning with {@code _dns_error} with a server failure.
 * Cases in {@link #KNOWN_DIFFERENT} are explained in docs/conformance.md and asserted to give the documented result.
 */
class StalwartSpfConformanceTest {

    /** Case → the result we give instead (see docs/conformance.md). */
    static final Map<String, String> KNOWN_DIFFERENT = Map.of(
            // an unknown mechanism after "all" is still a syntax error of the record (RFC 7208 §4.6)
            "all.yml All test #1", "permerror",
            // ten a: terms of names that do not exist: more than two void lookups (§4.6.4)
            "basic.yml DNS Lookup Limits #1", "permerror",
            // eleven MX records: permerror whatever the client (§4.6.4; the openspf suite's mx-limit)
            "basic.yml DNS Lookup Limits #6", "permerror",
            // we give the MAIL FROM identity's result, the one DMARC uses; the suite's driver checks HELO first
            "basic.yml HELO identity #1", "pass",
            // exists: asks for A records even over IPv6 (§5.7); these names have only AAAA
            "exists.yml Exists #2", "fail",
            "macro.yml Macro expansion 2 #2", "fail",
            // an IPv4 client is compared with ip4 terms only, not with an IPv4-mapped ip6 term (§5, the openspf
            // suite's ip4-mapped-ip6)
            "ip.yml IPv6 match #4", "fail");

    record Case(String id, String helo, String mailFrom, String ip, String result, String explanation,
            TableDnsResolver dns) {
        @Override
        public String toString() {
            return id;
        }
    }

    static List<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(DkimConformanceTest.resource("stalwart/spf"))) {
            files = s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
        for (Path file : files) {
            // the driver keeps one record cache per file: a record stays until the same name's record replaces it
            Map<String, Map<Type, List<String>>> zone = new LinkedHashMap<>();
            String text = Files.readString(file, StandardCharsets.UTF_8);
            for (String scenario : text.split("---\n")) {
                cases.addAll(scenario(file.getFileName().toString(), scenario, zone));
            }
        }
        return cases;
    }

    private static List<Case> scenario(String file, String text, Map<String, Map<Type, List<String>>> zone) {
        List<Case> cases = new ArrayList<>();
        String name = "";
        String helo = "";
        String mailFrom = "";
        String ip = "127.0.0.1";
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("-")) {
                line = line.substring(1).strip();
            }
            if (line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "name" -> name = value;
                case "spf", "exp" -> {
                    String[] nv = value.split(" ", 2);
                    put(zone, nv[0], Type.TXT, List.of(nv[1]));
                }
                case "a", "aaaa" -> {
                    String[] nv = value.split(" ", 2);
                    put(zone, nv[0], key.equals("a") ? Type.A : Type.AAAA,
                            Stream.of(nv[1].split(",")).map(String::strip).toList());
                }
                case "ptr" -> {
                    String[] nv = value.split(" ", 2);
                    put(zone, IpAddresses.reverseName(IpAddresses.parse(nv[0])), Type.PTR,
                            Stream.of(nv[1].split(",")).map(String::strip).toList());
                }
                case "mx" -> {
                    String[] nv = value.split(" ", 2);
                    String[] addresses = nv[1].split(",");
                    List<String> exchanges = new ArrayList<>();
                    for (int pos = 0; pos < addresses.length; pos++) {
                        String address = addresses[pos].strip();
                        String exchange = "mx." + address + "." + pos;
                        put(zone, exchange, address.contains(":") ? Type.AAAA : Type.A, List.of(address));
                        exchanges.add(exchange);
                    }
                    put(zone, nv[0], Type.MX, exchanges);
                }
                case "domain" -> helo = value;
                case "sender" -> mailFrom = value;
                case "ip" -> ip = value;
                case "expect" -> {
                    String[] re = value.split(" ", 2);
                    cases.add(new Case(file + " " + name + " #" + (cases.size() + 1), helo, mailFrom, ip, re[0],
                            re.length > 1 ? re[1].strip() : null, table(zone)));
                }
                default -> { }
            }
        }
        return cases;
    }

    private static void put(Map<String, Map<Type, List<String>>> zone, String name, Type type, List<String> values) {
        zone.computeIfAbsent(TableDnsResolver.normal(name), n -> new EnumMap<>(Type.class)).put(type, values);
    }

    /** The zone as it stands when a test runs. */
    private static TableDnsResolver table(Map<String, Map<Type, List<String>>> zone) {
        TableDnsResolver.Builder b = TableDnsResolver.builder();
        zone.forEach((name, byType) -> byType.forEach((type, values) -> values.forEach(v -> b.add(name, type, v))));
        return b.build();
    }

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    static SpfResult run(Case c) {
        DnsResolver dns = (name, type) -> name.toLowerCase(Locale.ROOT).startsWith("_dns_error")
                ? new DnsAnswer.TempFail("server failure (suite convention) for " + name)
                : c.dns().lookup(name, type);
        InetAddress client = IpAddresses.parse(c.ip());
        // the driver passes a sender without @ as the HELO identity's domain: the null reverse path
        String mailFrom = c.mailFrom().contains("@") ? c.mailFrom() : "";
        return new SpfEvaluator(dns, CLOCK).check(client, mailFrom, c.helo());
    }

    static boolean passes(Case c, SpfResult r) {
        if (!r.kind().lowerName().equals(c.result())) {
            return false;
        }
        return c.explanation() == null || r.kind() != SpfResult.Kind.FAIL || c.explanation().equals(r.explanation());
    }

    static Stream<Arguments> suite() throws IOException {
        return cases().stream().map(c -> Arguments.of(c.id(), c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("suite")
    void givesTheSuitesResult(String id, Case c) {
        SpfResult r = run(c);
        if (KNOWN_DIFFERENT.containsKey(id)) {
            assertThat(r.kind().lowerName()).as("known different case %s changed; update docs/conformance.md", id)
                    .isEqualTo(KNOWN_DIFFERENT.get(id));
        } else {
            assertThat(passes(c, r)).as("%s: expected %s (explanation %s), got %s '%s' (%s)", id, c.result(),
                    c.explanation(), r.kind().lowerName(), r.explanation(), r.detail()).isTrue();
        }
    }

    @Test
    void passRateIsTheOneReported() throws IOException {
        List<Case> all = cases();
        long passed = all.stream().filter(c -> passes(c, run(c))).count();
        System.out.printf(Locale.ROOT, "SPF stalwart mail-auth suite: %d/%d%n", passed, all.size());
        assertThat(all).hasSize(163);
        assertThat(passed).isEqualTo(all.size() - KNOWN_DIFFERENT.size());
    }
}
