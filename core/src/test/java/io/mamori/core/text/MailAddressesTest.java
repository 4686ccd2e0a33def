package io.mamori.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MailAddressesTest {

    @ParameterizedTest
    @ValueSource(strings = {"taro@example.co.jp", "a@b.c", "first.last+tag@sub.example.org", "山田@例え.jp", "x@.b.c"})
    void addressesOfTheFormLocalAtDomainDotTldArePlausible(String address) {
        assertThat(MailAddresses.plausible(address)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "taro", "@example.jp", "taro@", "taro@example", "taro@example.", "taro@.jp", "a@b@c.d",
        "taro @example.jp", "taro@exa mple.jp", "taro@example.jp\n", "\"taro\"@example.jp", "<taro@example.jp>",
        "a@b.c,d@e.f", "a@b.c;d@e.f", "taro\u3000@example.jp", "taro@example.jp\u0000"})
    void anythingElseIsNot(String address) {
        assertThat(MailAddresses.plausible(address)).isFalse();
    }

    @Test
    void theLengthIsBoundedByRfc5321() {
        String local = "a".repeat(64);
        String domain = "b".repeat(251) + ".jp";
        assertThat(MailAddresses.plausible(local + "@" + domain)).isTrue();
        assertThat(MailAddresses.plausible(local + "a@" + domain + "x".repeat(2))).isFalse();
        assertThat(MailAddresses.plausible(null)).isFalse();
    }

    @Test
    void aLongRunOfDotsIsRefusedAtOnce() {
        // the regular expression this replaces took seconds on 40,000 characters and minutes on a form's megabyte
        String hostile = "a@" + ".".repeat(1_000_000) + "@";
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThat(MailAddresses.plausible(hostile)).isFalse());
        String noDotAfterAt = "a@" + "b".repeat(300);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThat(MailAddresses.plausible(noDotAfterAt)).isFalse());
    }
}
