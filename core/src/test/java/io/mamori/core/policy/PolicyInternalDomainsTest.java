package io.mamori.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PolicyInternalDomainsTest {

    private final Policy policy;

    PolicyInternalDomainsTest() throws PolicyException {
        policy = new PolicyLoader(TestCatalogue.CATALOGUE).parse("""
                version: 1
                organisation:
                  name: Sample
                  internal_domains: [example.co.jp, "*.branch.example.jp", 例え.jp]
                inbound:
                  thresholds: {}
                outbound:
                  thresholds: {}
                """, "policy.yaml");
    }

    @Test
    void exactDomainMatchesCaseInsensitively() {
        assertThat(policy.isInternal("example.co.jp")).isTrue();
        assertThat(policy.isInternal("EXAMPLE.Co.Jp")).isTrue();
        assertThat(policy.isInternal("taro@Example.CO.JP")).isTrue();
    }

    @Test
    void exactDomainDoesNotCoverSubdomainsOrLookalikes() {
        assertThat(policy.isInternal("mail.example.co.jp")).isFalse();
        assertThat(policy.isInternal("badexample.co.jp")).isFalse();
        assertThat(policy.isInternal("example.co.jp.evil.example")).isFalse();
    }

    @Test
    void wildcardCoversSubdomainsAtAnyDepthButNotTheDomainItself() {
        assertThat(policy.isInternal("osaka.branch.example.jp")).isTrue();
        assertThat(policy.isInternal("a.b.branch.example.jp")).isTrue();
        assertThat(policy.isInternal("branch.example.jp")).isFalse();
        assertThat(policy.isInternal("xbranch.example.jp")).isFalse();
    }

    @Test
    void japaneseDomainMatchesInUnicodeAndPunycode() {
        assertThat(policy.isInternal("hanako@例え.jp")).isTrue();
        assertThat(policy.isInternal("hanako@XN--R8JZ45G.jp")).isTrue();
        assertThat(policy.isInternal("hanako@例え。ｊｐ")).isTrue();
    }

    @Test
    void trailingDotAndAngleBracketsAreIgnored() {
        assertThat(policy.isInternal("example.co.jp.")).isTrue();
        assertThat(policy.isInternal("<taro@example.co.jp>")).isTrue();
    }

    @Test
    void malformedInputIsNeverInternal() {
        assertThat(policy.isInternal(null)).isFalse();
        assertThat(policy.isInternal("")).isFalse();
        assertThat(policy.isInternal("taro@")).isFalse();
        assertThat(policy.isInternal("taro@[192.0.2.1]")).isFalse();
        assertThat(policy.isInternal("taro@exa mple.co.jp")).isFalse();
        assertThat(policy.isInternal("x@" + "a".repeat(300) + ".example.co.jp")).isFalse();
    }

    @Test
    void ownSendersAreNetworksOfTheOrganisationsSystemsAndOptional() throws PolicyException {
        assertThat(policy.organisation().ownSenders()).isEmpty();
        assertThat(policy.organisation().isOwnSender("192.0.2.25")).isFalse();
        Policy withCopier = new PolicyLoader(TestCatalogue.CATALOGUE).parse("""
                version: 1
                organisation:
                  name: Sample
                  internal_domains: [example.co.jp]
                  own_senders: [192.0.2.25, "2001:db8:10::/48"]
                inbound:
                  thresholds: {}
                outbound:
                  thresholds: {}
                """, "policy.yaml");
        assertThat(withCopier.organisation().isOwnSender("192.0.2.25")).isTrue();
        assertThat(withCopier.organisation().isOwnSender("2001:db8:10::7")).isTrue();
        assertThat(withCopier.organisation().isOwnSender("192.0.2.26")).isFalse();
        // never a host name (no DNS look-up), nothing malformed
        assertThat(withCopier.organisation().isOwnSender("copier.example.co.jp")).isFalse();
        assertThat(withCopier.organisation().isOwnSender("")).isFalse();
        assertThat(withCopier.organisation().isOwnSender(null)).isFalse();
    }

    @Test
    void anOwnSenderThatIsNoNetworkIsAnErrorNamingItsPlace() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PolicyLoader(TestCatalogue.CATALOGUE).parse("""
                version: 1
                organisation:
                  name: Sample
                  internal_domains: [example.co.jp]
                  own_senders: [192.0.2.0/24, copier.example.co.jp]
                inbound:
                  thresholds: {}
                outbound:
                  thresholds: {}
                """, "policy.yaml")).isInstanceOf(PolicyException.class)
                .hasMessageContaining("policy.yaml:5:31: organisation.own_senders[1]:")
                .hasMessageContaining("not an IP network in CIDR notation: 'copier.example.co.jp'");
    }
}
