package io.mamori.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mamori.core.analysis.FindingCatalogue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code blocklists} section: DNS block list zones for inbound mail, none unless listed. */
class PolicyBlocklistsTest {

    private final PolicyLoader loader = new PolicyLoader(FindingCatalogue.builtIn());

    private static final String BASE = """
            version: 1
            organisation:
              name: テスト
              internal_domains: [example.co.jp]
            inbound:
              thresholds: { tag: 4, hold: 8, quarantine: 10, reject: 20 }
            outbound:
              thresholds: { tag: 6 }
            """;

    private PolicyException rejected(String yaml) {
        PolicyException e = catchThrowableOfType(PolicyException.class, () -> loader.parse(BASE + yaml, "policy.yaml"));
        assertThat(e).as("expected the policy to be rejected").isNotNull();
        return e;
    }

    @Test
    void zonesAreReadAsLowerCaseAsciiAndNoneWhenTheSectionIsAbsent() throws Exception {
        Policy p = loader.parse(BASE + """
                blocklists:
                  ip: [ABCDEFKEY.zen.dq.spamhaus.net]
                  domain: [abcdefkey.dbl.dq.spamhaus.net, multi.uribl.com.]
                """, "policy.yaml");
        assertThat(p.blocklists().ipZones()).containsExactly("abcdefkey.zen.dq.spamhaus.net");
        assertThat(p.blocklists().domainZones()).containsExactly("abcdefkey.dbl.dq.spamhaus.net", "multi.uribl.com");
        assertThat(loader.parse(BASE, "policy.yaml").blocklists()).isEqualTo(Policy.Blocklists.NONE);
        assertThat(loader.parse(BASE + "blocklists:\n", "policy.yaml").blocklists().isEmpty()).isTrue();
        assertThat(loader.parse(BASE + "blocklists: { ip: [zen.spamhaus.org] }\n", "policy.yaml").blocklists().domainZones())
                .isEmpty();
    }

    @Test
    void badZonesAreReportedWithFileLineColumnAndKeyInBothLanguages() {
        PolicyException e = rejected("""
                blocklists:
                  ip: [zen.spamhaus.org, "not a zone", zen.spamhaus.org]
                  domain: dbl.spamhaus.org
                  url: [x.example]
                """);
        List<String> rendered = e.errors().stream().map(PolicyError::render).toList();
        assertThat(rendered).hasSize(4);
        assertThat(rendered.get(0)).startsWith("policy.yaml:10:26: blocklists.ip[1]: 'not a zone' is not a valid domain name");
        assertThat(rendered.subList(1, 4)).containsExactly(
                "policy.yaml:10:40: blocklists.ip[2]: duplicate of blocklists.ip[0]",
                "policy.yaml:11:11: blocklists.domain: must be a list of domains, got a string 'dbl.spamhaus.org'",
                "policy.yaml:12:3: blocklists.url: unknown key; expected one of ip, domain");
        assertThat(e.errors().get(2).renderJa()).contains("ドメインのリストにしてください");
    }

    @Test
    void aZoneMayStartWithTheKeyPlaceholderThatTheSettingFillsIn() throws Exception {
        Policy p = loader.parse(BASE + """
                blocklists:
                  ip: ["{key}.zen.dq.spamhaus.net"]
                  domain: ["{key}.DBL.dq.spamhaus.net", multi.uribl.com]
                """, "policy.yaml");
        assertThat(p.blocklists().ipZones()).containsExactly("{key}.zen.dq.spamhaus.net");
        assertThat(p.blocklists().domainZones()).containsExactly("{key}.dbl.dq.spamhaus.net", "multi.uribl.com");
        PolicyException e = rejected("""
                blocklists:
                  ip: ["zen.{key}.spamhaus.net", "{key}."]
                """);
        assertThat(e.errors().stream().map(PolicyError::render).toList()).hasSize(2)
                .allSatisfy(r -> assertThat(r).contains("is not a valid domain name"))
                .anySatisfy(r -> assertThat(r).startsWith("policy.yaml:10:8: blocklists.ip[0]"));
    }

    @Test
    void aWildcardZoneIsRefused() {
        PolicyException e = rejected("""
                blocklists:
                  domain: ["*.dbl.spamhaus.org"]
                """);
        List<String> rendered = e.errors().stream().map(PolicyError::render).toList();
        assertThat(rendered).hasSize(1);
        assertThat(rendered.get(0)).startsWith("policy.yaml:10:12: blocklists.domain[0]:").contains("'*' is not allowed");
    }
}
