package io.mamori.console.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.mamori.console.testing.MutableClock;
import io.mamori.console.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Scoped API tokens against H2 and PostgreSQL, each migrated by Flyway (V8). */
class ApiTokensTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));

    static java.util.stream.Stream<String> vendors() {
        return TestDatabases.vendors();
    }

    @AfterAll
    static void drop() throws Exception {
        TestDatabases.dropSchemas();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aTokenAuthenticatesItsOwnerUntilItExpiresOrIsRevoked(String vendor) {
        ApiTokens tokens = new ApiTokens(TestDatabases.fresh(vendor), clock);
        ApiTokens.Issued issued = tokens.issue("Taro@example.co.jp", "script", Duration.ofDays(1), "admin@example.co.jp");
        assertThat(issued.token()).startsWith("mmr_").hasSize(4 + 43);
        assertThat(issued.toString()).doesNotContain(issued.token());
        assertThat(tokens.authenticate(issued.token())).contains("taro@example.co.jp");
        assertThat(tokens.authenticate(issued.token().substring(0, issued.token().length() - 1) + "x")).isEmpty();
        assertThat(tokens.authenticate("not-a-token")).isEmpty();
        assertThat(tokens.authenticate(null)).isEmpty();
        assertThat(tokens.list("taro@example.co.jp")).singleElement().satisfies(t -> {
            assertThat(t.label()).isEqualTo("script");
            assertThat(t.lastUsedAt()).isEqualTo(clock.instant());
            assertThat(t.usableAt(clock.instant())).isTrue();
        });

        clock.advance(Duration.ofDays(1));
        assertThat(tokens.authenticate(issued.token())).as("expired at its expiry").isEmpty();

        ApiTokens.Issued second = tokens.issue("taro@example.co.jp", "other", Duration.ofDays(30), "admin@example.co.jp");
        assertThat(tokens.revoke("someone-else@example.co.jp", second.id())).as("only the owner's token").isFalse();
        assertThat(tokens.authenticate(second.token())).isPresent();
        assertThat(tokens.revoke("taro@example.co.jp", second.id())).isTrue();
        assertThat(tokens.revoke("taro@example.co.jp", second.id())).as("already revoked").isFalse();
        assertThat(tokens.authenticate(second.token())).isEmpty();
        assertThat(tokens.list("taro@example.co.jp")).hasSize(2).first().satisfies(t -> assertThat(t.revokedAt()).isNotNull());
    }
}
