package io.mamori.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.core.message.ParseLimits;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** The attachment contents the gateway's parser keeps cover every message its listeners accept. */
class ParseLimitsSettingTest {

    private static MamoriProperties.Smtp smtp(DataSize maxMessageSize) {
        return new MamoriProperties.Smtp(null, null, maxMessageSize, 100, 10_000, Duration.ofMinutes(5),
                Duration.ofMinutes(10), 100, 10);
    }

    @Test
    void aFillerAttachmentCannotUseUpTheBudgetOfAMessageTheListenersAccept() {
        assertThat(GatewayConfiguration.parseLimits(smtp(DataSize.ofMegabytes(50))).maxAttachmentBytes())
                .as("the shipped 50 MB limit").isGreaterThanOrEqualTo(50L * 1024 * 1024);
        assertThat(GatewayConfiguration.parseLimits(smtp(DataSize.ofMegabytes(150))).maxAttachmentBytes())
                .isGreaterThanOrEqualTo(150L * 1024 * 1024);
        assertThat(GatewayConfiguration.parseLimits(smtp(DataSize.ofMegabytes(5))).maxAttachmentBytes())
                .as("never below the default").isEqualTo(ParseLimits.DEFAULT_MAX_ATTACHMENT_BYTES);
    }
}
