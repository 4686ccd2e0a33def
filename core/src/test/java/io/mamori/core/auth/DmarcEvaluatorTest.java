package io.mamori.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.auth.DnsResolver.Type;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DMARC alignment and policy, with the RFC 9989 tree walk, np= and psd=. */
class DmarcEvaluatorTest {

    private static final SpfResult NO_SPF = new SpfResult(SpfResult.Kind.NONE, "", "", "");

    private static DkimResult pass(String d) {
        return new DkimResult(DkimResult.Kind.PASS, d, "s", "rsa-sha256", "", "");
    }

    @Test
    void relaxedAlignmentAcceptsASignatureOfTheOrganizationalDomainFoundByTheTreeWalk() {
        DnsResolver dns = TableDnsResolver.builder()
                .add("_dmarc.example.co.jp", Type.TXT, "v=DMARC1; p=reject")
                .add("_dmarc.co.jp", Type.TXT, "v=DMARC1; p=none; psd=y")
                .build();
        DmarcResult r = new DmarcEvaluator(dns).evaluate("news.example.co.jp", NO_SPF, List.of(pass("mail.example.co.jp")));
        assertThat(r.kind()).isEqualTo(DmarcResult.Kind.PASS);
        assertThat(r.policyDomain()).isEqualTo("example.co.jp");
    }

    @Test
    void aPublicSuffixDomainIsNeverTheOrganizationalDomainOfTwoCustomers() throws Exception {
        DnsResolver dns = TableDnsResolver.builder()
                .add("_dmarc.co.jp", Type.TXT, "v=DMARC1; p=reject; psd=y")
                .build();
        DmarcEvaluator e = new DmarcEvaluator(dns);
        assertThat(e.organizationalDomain("www.shop-a.co.jp")).isEqualTo("shop-a.co.jp");
        DmarcResult r = e.evaluate("shop-a.co.jp", NO_SPF, List.of(pass("shop-b.co.jp")));
        assertThat(r.kind()).isEqualTo(DmarcResult.Kind.FAIL);
        assertThat(r.policy()).isEqualTo(DmarcResult.Policy.REJECT);
    }

    /**
     * A hosting provider's record for the suffix its customers get names under, without psd=y: the tree walk alone
     * made that suffix every customer's organizational domain, and a spoofer's name there aligned with any other's.
     */
    @Test
    void twoCustomersOfAHostingSuffixInThePublicSuffixListAreNeverAlignedThoughTheSuffixHasARecord() throws Exception {
        DnsResolver dns = TableDnsResolver.builder()
                .add("_dmarc.sakura.ne.jp", Type.TXT, "v=DMARC1; p=none")
                .add("_dmarc.victim.sakura.ne.jp", Type.TXT, "v=DMARC1; p=reject")
                .build();
        DmarcEvaluator e = new DmarcEvaluator(dns);

        DmarcResult r = e.evaluate("victim.sakura.ne.jp", new SpfResult(SpfResult.Kind.PASS, "attacker.sakura.ne.jp", "", "ip4"),
                List.of(pass("attacker.sakura.ne.jp")));

        assertThat(r.kind()).isEqualTo(DmarcResult.Kind.FAIL);
        assertThat(r.policy()).isEqualTo(DmarcResult.Policy.REJECT);
        assertThat(e.organizationalDomain("www.victim.sakura.ne.jp")).isEqualTo("victim.sakura.ne.jp");
        // the customer's own subdomains are still aligned with it
        assertThat(e.evaluate("victim.sakura.ne.jp", NO_SPF, List.of(pass("mail.victim.sakura.ne.jp"))).kind())
                .isEqualTo(DmarcResult.Kind.PASS);
    }

    @Test
    void aRecordWithPsdNEndsTheTreeWalkAsTheOrganizationalDomain() throws Exception {
        // RFC 9989 §4.10.2: psd=n marks the organizational domain itself (a department run as its own organisation)
        DnsResolver dns = TableDnsResolver.builder()
                .add("_dmarc.dept.example.com", Type.TXT, "v=DMARC1; p=quarantine; psd=n")
                .add("_dmarc.example.com", Type.TXT, "v=DMARC1; p=reject")
                .build();
        DmarcEvaluator e = new DmarcEvaluator(dns);
        assertThat(e.organizationalDomain("mail.dept.example.com")).isEqualTo("dept.example.com");
        assertThat(e.organizationalDomain("www.example.com")).isEqualTo("example.com");
        // so the parent's signature is not aligned with the department's mail, and the department's own is
        DmarcResult parent = e.evaluate("mail.dept.example.com", NO_SPF, List.of(pass("example.com")));
        assertThat(parent.kind()).isEqualTo(DmarcResult.Kind.FAIL);
        assertThat(parent.policyDomain()).isEqualTo("dept.example.com");
        assertThat(e.evaluate("mail.dept.example.com", NO_SPF, List.of(pass("dept.example.com"))).kind())
                .isEqualTo(DmarcResult.Kind.PASS);
        // without psd=n the walk goes on to the parent, whose signature is then aligned
        DnsResolver plain = TableDnsResolver.builder()
                .add("_dmarc.dept.example.com", Type.TXT, "v=DMARC1; p=quarantine")
                .add("_dmarc.example.com", Type.TXT, "v=DMARC1; p=reject")
                .build();
        assertThat(new DmarcEvaluator(plain).organizationalDomain("mail.dept.example.com")).isEqualTo("example.com");
        assertThat(new DmarcEvaluator(plain).evaluate("mail.dept.example.com", NO_SPF, List.of(pass("example.com"))).kind())
                .isEqualTo(DmarcResult.Kind.PASS);
    }

    @Test
    void strictAlignmentRefusesASubdomainSignature() {
        DnsResolver dns = TableDnsResolver.builder().add("_dmarc.example.com", Type.TXT, "v=DMARC1; p=quarantine; adkim=s").build();
        DmarcResult r = new DmarcEvaluator(dns).evaluate("example.com", NO_SPF, List.of(pass("mail.example.com")));
        assertThat(r.kind()).isEqualTo(DmarcResult.Kind.FAIL);
        assertThat(r.policy()).isEqualTo(DmarcResult.Policy.QUARANTINE);
    }

    @Test
    void aNonExistentSubdomainGetsTheNpPolicy() {
        DnsResolver dns = TableDnsResolver.builder()
                .add("_dmarc.example.com", Type.TXT, "v=DMARC1; p=none; sp=quarantine; np=reject").build();
        assertThat(new DmarcEvaluator(dns).evaluate("nosuch.example.com", NO_SPF, List.of()).policy())
                .isEqualTo(DmarcResult.Policy.REJECT);
        DnsResolver existing = TableDnsResolver.builder()
                .add("_dmarc.example.com", Type.TXT, "v=DMARC1; p=none; sp=quarantine; np=reject")
                .add("real.example.com", Type.MX, "mx.example.com").build();
        assertThat(new DmarcEvaluator(existing).evaluate("real.example.com", NO_SPF, List.of()).policy())
                .isEqualTo(DmarcResult.Policy.QUARANTINE);
    }

    @Test
    void testingModeAndPartialPercentageSoftenThePolicyOneStep() {
        DnsResolver t = TableDnsResolver.builder().add("_dmarc.example.com", Type.TXT, "v=DMARC1; p=reject; t=y").build();
        assertThat(new DmarcEvaluator(t).evaluate("example.com", NO_SPF, List.of()).policy()).isEqualTo(DmarcResult.Policy.QUARANTINE);
        DnsResolver pct = TableDnsResolver.builder().add("_dmarc.example.com", Type.TXT, "v=DMARC1; p=quarantine; pct=20").build();
        assertThat(new DmarcEvaluator(pct).evaluate("example.com", NO_SPF, List.of()).policy()).isEqualTo(DmarcResult.Policy.NONE);
    }

    @Test
    void aTemporaryErrorOfTheSignatureKeyIsNeverADmarcFailure() {
        DnsResolver dns = TableDnsResolver.builder().add("_dmarc.example.com", Type.TXT, "v=DMARC1; p=reject").build();
        DkimResult temp = new DkimResult(DkimResult.Kind.TEMPERROR, "example.com", "s", "rsa-sha256", "", "timeout");
        assertThat(new DmarcEvaluator(dns).evaluate("example.com", NO_SPF, List.of(temp)).kind())
                .isEqualTo(DmarcResult.Kind.TEMPERROR);
    }

    /**
     * The sender picks the d= of its signature and its MAIL FROM, and runs their name servers: a time-out there made
     * the From owner's p=reject a temperror (no finding with weight). Only an identifier that could be aligned with the
     * From domain, the From domain itself or one under its organisational domain, can leave DMARC open (RFC 7489
     * §6.6.2).
     */
    @Test
    void aTemporaryErrorCountsOnlyForAnIdentifierThatCouldBeAligned() {
        DnsResolver dns = TableDnsResolver.builder()
                .add("_dmarc.victim.example", Type.TXT, "v=DMARC1; p=reject")
                .tempFail("_dmarc.mail.victim.example")
                .build();
        DmarcEvaluator e = new DmarcEvaluator(dns);

        DmarcResult unalignedKey = e.evaluate("victim.example", NO_SPF, List.of(temp("slow.example")));
        DmarcResult unalignedSpf = e.evaluate("victim.example",
                new SpfResult(SpfResult.Kind.TEMPERROR, "slow.example", "", "timeout"), List.of());

        assertThat(List.of(unalignedKey, unalignedSpf)).allSatisfy(r -> {
            assertThat(r.kind()).isEqualTo(DmarcResult.Kind.FAIL);
            assertThat(r.policy()).isEqualTo(DmarcResult.Policy.REJECT);
        });
        // the same errors for identifiers that could be aligned leave DMARC open: neither pass nor fail
        assertThat(e.evaluate("victim.example", NO_SPF, List.of(temp("news.victim.example"))).kind())
                .isEqualTo(DmarcResult.Kind.TEMPERROR);
        assertThat(e.evaluate("victim.example", new SpfResult(SpfResult.Kind.TEMPERROR, "victim.example", "", "timeout"),
                List.of()).kind()).isEqualTo(DmarcResult.Kind.TEMPERROR);
        // and so does a time-out in the tree walk of a passing identifier under the From's organisational domain
        assertThat(e.evaluate("victim.example", NO_SPF, List.of(pass("mail.victim.example"))).kind())
                .isEqualTo(DmarcResult.Kind.TEMPERROR);
        // with strict alignment only the From domain itself could be aligned
        DnsResolver strict = TableDnsResolver.builder().add("_dmarc.victim.example", Type.TXT, "v=DMARC1; p=reject; adkim=s")
                .build();
        assertThat(new DmarcEvaluator(strict).evaluate("victim.example", NO_SPF, List.of(temp("news.victim.example"))).kind())
                .isEqualTo(DmarcResult.Kind.FAIL);
    }

    @Test
    void anIdentifierOutsideTheFromsOrganisationalDomainIsNotAlignedWithoutAnyQuestionAboutIt() {
        DnsResolver table = TableDnsResolver.builder()
                .add("_dmarc.victim.example", Type.TXT, "v=DMARC1; p=reject")
                .tempFail("_dmarc.slow.example")
                .build();
        List<String> asked = new ArrayList<>();
        DnsResolver recording = (name, type) -> {
            asked.add(name);
            return table.lookup(name, type);
        };

        DmarcResult r = new DmarcEvaluator(recording).evaluate("victim.example",
                new SpfResult(SpfResult.Kind.PASS, "slow.example", "", "ip4"), List.of(pass("evil.example")));

        assertThat(r.kind()).isEqualTo(DmarcResult.Kind.FAIL);
        assertThat(r.policy()).isEqualTo(DmarcResult.Policy.REJECT);
        assertThat(asked).containsExactly("_dmarc.victim.example", "_dmarc.example");
    }

    private static DkimResult temp(String d) {
        return new DkimResult(DkimResult.Kind.TEMPERROR, d, "s", "rsa-sha256", "", "timeout");
    }

    @Test
    void aRecordThatDoesNotStartWithTheVersionIsNoRecord() {
        DnsResolver dns = TableDnsResolver.builder().add("_dmarc.example.com", Type.TXT, "p=reject; v=DMARC1").build();
        assertThat(new DmarcEvaluator(dns).evaluate("example.com", NO_SPF, List.of()).kind()).isEqualTo(DmarcResult.Kind.NONE);
    }
}
