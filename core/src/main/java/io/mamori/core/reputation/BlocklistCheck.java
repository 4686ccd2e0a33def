package io.mamori.core.reputation;

import io.mamori.core.auth.DnsAnswer;
import io.mamori.core.auth.DnsResolver;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Whether a DNS block list answers this gateway as a list should (RFC 5782 §5): an IP list lists its test entry
 * 127.0.0.2 and not 127.0.0.1, a domain list lists {@code test} (or its own documented test domain, such as Spamhaus
 * DBL's {@code dbltest.com}) and not {@code invalid}. What an administrator checks after naming zones in the policy:
 * a wrong zone, a resolver the list refuses (a public one, or a wrong key: error codes 127.255.255.x, URIBL's
 * 127.0.0.1) or a list that does not answer all look the same in the mail flow — nothing is ever listed.
 */
public final class BlocklistCheck {

    /** What a check found. */
    public enum Outcome { WORKS, ERROR_CODE, NO_TEST_ENTRY, LISTS_EVERYTHING, NO_ANSWER, NO_KEY }

    /**
     * One zone's check.
     *
     * @param zone    the zone as the policy writes it, shown ({@link DnsBlocklistAnalyzer#shown}: no key)
     * @param ip      whether it is an IP list (else a domain list)
     * @param outcome what was found
     * @param detail  the answers, for the administrator
     */
    public record Result(String zone, boolean ip, Outcome outcome, String detail) {
        public Result {
            Objects.requireNonNull(zone, "zone");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(detail, "detail");
        }

        /** Japanese, then English, as the CLI prints it. */
        public String describe() {
            String kind = ip ? "IP" : "ドメイン / domain";
            String what = switch (outcome) {
                case WORKS -> "動作しています / works";
                case ERROR_CODE -> "エラー応答: このリゾルバーからの問い合わせを拒否しています（公開リゾルバー経由、"
                        + "キーの誤り、上限超過など） / error code: the list refuses this resolver (a public resolver, a wrong"
                        + " key, over the quota)";
                case NO_TEST_ENTRY -> "テスト用の登録がありません（ゾーン名の誤りの可能性） / no test entry listed (is the zone"
                        + " name right?)";
                case LISTS_EVERYTHING -> "掲載されないはずの名前も掲載と応答します（リゾルバーが応答を書き換えている可能性） /"
                        + " lists what it must not (does the resolver rewrite answers?)";
                case NO_ANSWER -> "応答がありません（タイムアウト・サーバー障害） / no answer (timeout, server failure)";
                case NO_KEY -> "mamori.dns.blocklist-key が未設定のため問い合わせません / not asked: mamori.dns.blocklist-key"
                        + " is not set";
            };
            return zone + " (" + kind + "): " + what + " [" + detail + "]";
        }
    }

    private static final List<String> DOMAIN_TEST_ENTRIES = List.of("test", "dbltest.com");

    private BlocklistCheck() {
    }

    /**
     * Checks every zone of {@code lists}, IP lists first, each in the policy's order ({@link #zone}); all the zones'
     * questions go out together, so lists that do not answer cost one resolver timeout in all.
     */
    public static List<Result> all(DnsResolver dns, io.mamori.core.policy.Policy.Blocklists lists, Optional<String> key) {
        List<java.util.function.Supplier<Result>> asked = new java.util.ArrayList<>();
        for (String zone : lists.ipZones()) {
            asked.add(ask(dns, zone, true, key));
        }
        for (String zone : lists.domainZones()) {
            asked.add(ask(dns, zone, false, key));
        }
        return asked.stream().map(java.util.function.Supplier::get).toList();
    }

    /**
     * Checks a zone of the policy ({@code ip}: an IP list, else a domain list), its {@code {key}} filled in from
     * {@code key} as the analyzer does ({@link DnsBlocklistAnalyzer#queried}); {@link Outcome#NO_KEY}, nothing asked,
     * when the zone needs a key that is not set.
     */
    public static Result zone(DnsResolver dns, String zone, boolean ip, Optional<String> key) {
        return ask(dns, zone, ip, key).get();
    }

    /** Sends the zone's questions together and returns what waits for their answers and judges them. */
    private static java.util.function.Supplier<Result> ask(DnsResolver dns, String zone, boolean ip, Optional<String> key) {
        String shown = DnsBlocklistAnalyzer.shown(zone);
        Optional<String> asked = DnsBlocklistAnalyzer.queried(zone, key);
        if (asked.isEmpty()) {
            Result notAsked = new Result(shown, ip, Outcome.NO_KEY, "-");
            return () -> notAsked;
        }
        List<String> testEntries = ip ? List.of("2.0.0.127") : DOMAIN_TEST_ENTRIES;
        String unlistedEntry = ip ? "1.0.0.127" : "invalid";
        List<CompletableFuture<DnsAnswer>> testAnswers = testEntries.stream()
                .map(t -> dns.lookupAsync(t + "." + asked.get(), DnsResolver.Type.A)).toList();
        CompletableFuture<DnsAnswer> unlistedAnswer = dns.lookupAsync(unlistedEntry + "." + asked.get(), DnsResolver.Type.A);
        return () -> {
            List<DnsAnswer> listed = testAnswers.stream().map(a -> DnsAnswer.await(a, "A test entry")).toList();
            DnsAnswer unlisted = DnsAnswer.await(unlistedAnswer, "A " + unlistedEntry);
            StringBuilder detail = new StringBuilder();
            for (int i = 0; i < testEntries.size(); i++) {
                detail.append(ip ? "127.0.0.2" : testEntries.get(i)).append(" → ").append(text(listed.get(i))).append("; ");
            }
            detail.append(ip ? "127.0.0.1" : unlistedEntry).append(" → ").append(text(unlisted));
            return new Result(shown, ip, outcome(listed, unlisted), detail.toString());
        };
    }

    private static Outcome outcome(List<DnsAnswer> testEntries, DnsAnswer mustNotBeListed) {
        if (testEntries.stream().anyMatch(a -> a instanceof DnsAnswer.TempFail)) {
            return Outcome.NO_ANSWER;
        }
        if (errorCode(mustNotBeListed).isPresent() || testEntries.stream().anyMatch(a -> errorCode(a).isPresent())) {
            return Outcome.ERROR_CODE;
        }
        if (listing(mustNotBeListed)) {
            return Outcome.LISTS_EVERYTHING;
        }
        return testEntries.stream().anyMatch(BlocklistCheck::listing) ? Outcome.WORKS : Outcome.NO_TEST_ENTRY;
    }

    private static boolean listing(DnsAnswer a) {
        return a instanceof DnsAnswer.Records r && r.values().stream().anyMatch(DnsBlocklistAnalyzer::isListing);
    }

    private static Optional<String> errorCode(DnsAnswer a) {
        if (!(a instanceof DnsAnswer.Records r)) {
            return Optional.empty();
        }
        return r.values().stream().filter(DnsBlocklistAnalyzer::isErrorCode).findFirst();
    }

    private static String text(DnsAnswer a) {
        if (a instanceof DnsAnswer.Records r) {
            return String.join(",", r.values());
        }
        if (a instanceof DnsAnswer.NoRecords n) {
            return n.nxdomain() ? "NXDOMAIN" : "NODATA";
        }
        return "no answer";
    }
}
