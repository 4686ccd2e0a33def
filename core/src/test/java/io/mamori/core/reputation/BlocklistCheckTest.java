package io.mamori.core.reputation;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.auth.DnsResolver.Type;
import io.mamori.core.auth.TableDnsResolver;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A block list's test entries (RFC 5782 §5), as the lists answer them and as misconfigurations make them look. */
class BlocklistCheckTest {

    private static final Optional<String> NO_KEY = Optional.empty();

    @Test
    void aListAnsweringItsTestEntriesWorks() {
        TableDnsResolver dns = TableDnsResolver.builder()
                .add("2.0.0.127.zen.list.test", Type.A, "127.0.0.2")
                .add("test.uri.list.test", Type.A, "127.0.0.2")
                .add("dbltest.com.dbl.list.test", Type.A, "127.0.1.2")
                .build();
        BlocklistCheck.Result ip = BlocklistCheck.zone(dns, "zen.list.test", true, NO_KEY);
        assertThat(ip.outcome()).isEqualTo(BlocklistCheck.Outcome.WORKS);
        assertThat(ip.detail()).isEqualTo("127.0.0.2 → 127.0.0.2; 127.0.0.1 → NXDOMAIN");
        assertThat(BlocklistCheck.zone(dns, "uri.list.test", false, NO_KEY).outcome()).isEqualTo(BlocklistCheck.Outcome.WORKS);
        assertThat(BlocklistCheck.zone(dns, "dbl.list.test", false, NO_KEY).outcome()).as("Spamhaus DBL's own test domain")
                .isEqualTo(BlocklistCheck.Outcome.WORKS);
    }

    @Test
    void refusedWrongSilentAndRewritingListsAreToldApart() {
        TableDnsResolver dns = TableDnsResolver.builder()
                .add("2.0.0.127.refused.list.test", Type.A, "127.255.255.254")
                .add("1.0.0.127.refused.list.test", Type.A, "127.255.255.254")
                .add("2.0.0.127.rewrites.list.test", Type.A, "127.0.0.2")
                .add("1.0.0.127.rewrites.list.test", Type.A, "127.0.0.2")
                .tempFail("2.0.0.127.silent.list.test")
                .build();
        assertThat(BlocklistCheck.zone(dns, "refused.list.test", true, NO_KEY).outcome()).isEqualTo(BlocklistCheck.Outcome.ERROR_CODE);
        assertThat(BlocklistCheck.zone(dns, "wrong.list.test", true, NO_KEY).outcome()).isEqualTo(BlocklistCheck.Outcome.NO_TEST_ENTRY);
        assertThat(BlocklistCheck.zone(dns, "rewrites.list.test", true, NO_KEY).outcome()).isEqualTo(BlocklistCheck.Outcome.LISTS_EVERYTHING);
        assertThat(BlocklistCheck.zone(dns, "silent.list.test", true, NO_KEY).outcome()).isEqualTo(BlocklistCheck.Outcome.NO_ANSWER);
    }

    @Test
    void theSubscribersKeyIsHiddenInWhatIsShown() {
        BlocklistCheck.Result r = BlocklistCheck.zone(TableDnsResolver.builder().build(), "k3y0fthesubscriber0123456.zen.dq.list.test", true, NO_KEY);
        assertThat(r.zone()).isEqualTo("<key>.zen.dq.list.test");
        assertThat(r.describe()).startsWith("<key>.zen.dq.list.test (IP): テスト用の登録がありません")
                .doesNotContain("k3y0fthesubscriber0123456");
    }

    @Test
    void theKeyFromTheSettingIsFilledInAndNeverShownAndWithoutItNothingIsAsked() {
        TableDnsResolver dns = TableDnsResolver.builder().add("2.0.0.127.s3cr3t.zen.dq.list.test", Type.A, "127.0.0.2").build();
        BlocklistCheck.Result r = BlocklistCheck.zone(dns, "{key}.zen.dq.list.test", true, Optional.of("S3CR3T"));
        assertThat(r.outcome()).isEqualTo(BlocklistCheck.Outcome.WORKS);
        assertThat(r.describe()).startsWith("{key}.zen.dq.list.test (IP): 動作しています").doesNotContainIgnoringCase("s3cr3t");
        int asked = dns.lookupCount();
        assertThat(BlocklistCheck.zone(dns, "{key}.zen.dq.list.test", true, NO_KEY).outcome())
                .isEqualTo(BlocklistCheck.Outcome.NO_KEY);
        assertThat(dns.lookupCount()).isEqualTo(asked);
    }

    @Test
    void everyZonesQuestionsGoOutTogetherBeforeAnyIsWaitedFor() throws Exception {
        io.mamori.core.testing.HeldDns dns = new io.mamori.core.testing.HeldDns(TableDnsResolver.builder()
                .add("2.0.0.127.zen.list.test", Type.A, "127.0.0.2")
                .add("test.refused.list.test", Type.A, "127.255.255.254").build());
        java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<java.util.List<BlocklistCheck.Result>> results = thread.submit(() -> BlocklistCheck.all(
                    dns, new io.mamori.core.policy.Policy.Blocklists(java.util.List.of("zen.list.test"),
                            java.util.List.of("refused.list.test", "{key}.dbl.list.test")), NO_KEY));
            assertThat(dns.answerAll(5)).as("both asked zones' questions at once; the keyless zone not at all")
                    .containsExactly("2.0.0.127.zen.list.test", "1.0.0.127.zen.list.test", "test.refused.list.test",
                            "dbltest.com.refused.list.test", "invalid.refused.list.test");
            assertThat(results.get(10, java.util.concurrent.TimeUnit.SECONDS)).extracting(BlocklistCheck.Result::outcome)
                    .containsExactly(BlocklistCheck.Outcome.WORKS, BlocklistCheck.Outcome.ERROR_CODE,
                            BlocklistCheck.Outcome.NO_KEY);
            assertThat(dns.pendingCount()).isZero();
        } finally {
            thread.shutdownNow();
        }
    }
}
