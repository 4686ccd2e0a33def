package io.mamori.core.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of the hand-written address reader ({@link Mailbox}): any header value gives its mailboxes
 * without an exception, and the sender as the reader takes it ({@link Mailbox#sender}) is one of them with an address,
 * its display name holding the first such mailbox's own. In the test suite this runs the inputs under
 * {@code MailboxFuzzTestInputs/}; {@code bench/fuzz.sh} fuzzes it (bench/README.md).
 */
class MailboxFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void readsAnyFromField(@NotNull String value) {
        java.util.List<Mailbox> all = Mailbox.parseList(value);
        Optional<Mailbox> sender = Mailbox.sender(value);
        Optional<Mailbox> firstWithAddress = all.stream().filter(m -> m.address().contains("@")).findFirst();
        assertThat(sender.map(Mailbox::address)).isEqualTo(firstWithAddress.map(Mailbox::address));
        sender.ifPresent(s -> assertThat(s.displayName()).contains(firstWithAddress.get().displayName()));
    }
}
