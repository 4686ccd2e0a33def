package io.mamori.core.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.testing.MovingClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FailureThrottleTest {

    private final MovingClock clock = new MovingClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final FailureThrottle throttle = new FailureThrottle(3, Duration.ofMinutes(15), clock);

    @Test
    void anAddressIsRefusedAfterItsFailuresUntilTheWindowEnds() throws Exception {
        InetAddress a = InetAddress.getByName("192.0.2.1");
        for (int i = 0; i < 3; i++) {
            assertThat(throttle.refused(a)).isFalse();
            throttle.recordFailure(a);
        }
        assertThat(throttle.refused(a)).isTrue();
        assertThat(throttle.refused(InetAddress.getByName("192.0.2.2"))).isFalse();
        clock.advance(Duration.ofMinutes(15));
        assertThat(throttle.refused(a)).isFalse();
    }

    @Test
    void anIpv6ClientCountsByItsSlash64() throws Exception {
        throttle.recordFailure(InetAddress.getByName("2001:db8:1:2::1"));
        throttle.recordFailure(InetAddress.getByName("2001:db8:1:2::ffff"));
        throttle.recordFailure(InetAddress.getByName("2001:db8:1:2:abcd::9"));
        assertThat(throttle.refused(InetAddress.getByName("2001:db8:1:2::77"))).isTrue();
        assertThat(throttle.refused(InetAddress.getByName("2001:db8:1:3::1"))).isFalse();
    }
}
