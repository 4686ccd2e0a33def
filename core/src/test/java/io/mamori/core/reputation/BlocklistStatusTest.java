package io.mamori.core.reputation;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.reputation.BlocklistStatus.State;
import io.mamori.core.reputation.DnsBlocklistAnalyzer.Outcome;
import io.mamori.core.testing.LogCapture;
import io.mamori.core.testing.MovingClock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How the lists' answers become each list's state, and what the log says about it. */
class BlocklistStatusTest {

    static final String IP = "zen.blocklist.test";
    static final String DOMAIN = "dbl.blocklist.test";
    static final String KEYED = "abcdefghijklmnopqrstuvwxyz.zen.dq.blocklist.test";

    private final MovingClock clock = new MovingClock(Instant.parse("2026-11-30T09:00:00Z"));
    private final BlocklistStatus status = new BlocklistStatus(clock);
    @RegisterExtension
    final LogCapture logs = new LogCapture(BlocklistStatus.class);

    @Test
    void aListIsRefusingFromItsFirstErrorCodeAndWorkingAgainFromItsNextUsableAnswer() {
        status.answered(IP, true, Outcome.NOT_LISTED);
        status.answered(IP, true, Outcome.LISTED);
        assertThat(status.troubled(List.of(IP), List.of())).isEmpty();
        clock.advance(java.time.Duration.ofSeconds(60));
        status.answered(IP, true, Outcome.ERROR_CODE);
        BlocklistStatus.Zone z = status.zones(List.of(IP), List.of()).get(0);
        assertThat(z.state()).isEqualTo(State.REFUSING);
        assertThat(z.since()).isEqualTo(Instant.parse("2026-11-30T09:01:00Z"));
        assertThat(z.lastUsable()).isEqualTo(Instant.parse("2026-11-30T09:00:00Z"));
        assertThat(List.of(z.listed(), z.notListed(), z.errorCodes(), z.noAnswers())).containsExactly(1L, 1L, 1L, 0L);
        assertThat(status.troubled(List.of(IP), List.of())).extracting(BlocklistStatus.Zone::zone).containsExactly(IP);
        assertThat(logs.lines()).singleElement().asString().startsWith("WARN DNS block list zen.blocklist.test (IP) answers"
                + " with error codes");
        status.answered(IP, true, Outcome.NOT_LISTED);
        assertThat(status.zones(List.of(IP), List.of()).get(0).state()).isEqualTo(State.WORKING);
        assertThat(logs.lines()).last().isEqualTo("INFO DNS block list zen.blocklist.test (IP) answers again");
    }

    @Test
    void aListIsNotWorkingBeforeItsFirstUsableAnswer() {
        status.answered(DOMAIN, false, Outcome.NO_ANSWER);
        assertThat(status.zones(List.of(), List.of(DOMAIN)).get(0).state()).isEqualTo(State.NO_ANSWER_YET);
        status.answered(DOMAIN, false, Outcome.NOT_LISTED);
        assertThat(status.zones(List.of(), List.of(DOMAIN)).get(0).state()).isEqualTo(State.WORKING);
        assertThat(logs.lines()).isEmpty();
    }

    @Test
    void oneLostAnswerIsNoOutageButThreeInARowAre() {
        status.answered(DOMAIN, false, Outcome.NOT_LISTED);
        status.answered(DOMAIN, false, Outcome.NO_ANSWER);
        status.answered(DOMAIN, false, Outcome.NO_ANSWER);
        status.answered(DOMAIN, false, Outcome.NOT_LISTED);
        status.answered(DOMAIN, false, Outcome.NO_ANSWER);
        status.answered(DOMAIN, false, Outcome.NO_ANSWER);
        assertThat(status.zones(List.of(), List.of(DOMAIN)).get(0).state()).isEqualTo(State.WORKING);
        assertThat(logs.lines()).isEmpty();
        status.answered(DOMAIN, false, Outcome.NO_ANSWER);
        assertThat(status.zones(List.of(), List.of(DOMAIN)).get(0).state()).isEqualTo(State.NOT_ANSWERING);
        assertThat(logs.lines()).containsExactly("WARN DNS block list dbl.blocklist.test (domain) has not answered 3 questions"
                + " in a row: it lists nobody while it is down; see `mamori policy check-blocklists`");
    }

    @Test
    void aFlappingListIsWarnedAboutAtMostOnceInTenMinutes() {
        for (int i = 0; i < 5; i++) {
            status.answered(IP, true, Outcome.ERROR_CODE);
            status.answered(IP, true, Outcome.NOT_LISTED);
            clock.advance(java.time.Duration.ofSeconds(60));
        }
        assertThat(logs.lines().stream().filter(l -> l.startsWith("WARN"))).hasSize(1);
        clock.advance(BlocklistStatus.WARN_INTERVAL);
        status.answered(IP, true, Outcome.ERROR_CODE);
        assertThat(logs.lines().stream().filter(l -> l.startsWith("WARN"))).hasSize(2);
        assertThat(logs.lines()).allMatch(l -> l.startsWith("WARN ") || l.startsWith("INFO "));
    }

    @Test
    void listsAreShownAsThePolicyNamesThemWithoutTheKeyAndThoseNotAskedYetSaySo() {
        status.answered(DnsBlocklistAnalyzer.shown(KEYED), true, Outcome.ERROR_CODE);
        status.answered(DOMAIN, false, Outcome.NOT_LISTED);
        status.answered("removed.blocklist.test", false, Outcome.ERROR_CODE);
        assertThat(status.zones(List.of(KEYED, IP), List.of(DOMAIN)))
                .extracting(z -> z.zone() + " " + z.ip() + " " + z.state())
                .containsExactly("<key>.zen.dq.blocklist.test true REFUSING", "zen.blocklist.test true NO_ANSWER_YET",
                        "dbl.blocklist.test false WORKING");
        assertThat(status.troubled(List.of(KEYED, IP), List.of(DOMAIN))).hasSize(1);
        assertThat(logs.lines()).noneMatch(l -> l.contains("abcdefghijklmnop"));
    }
}
