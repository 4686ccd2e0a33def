package io.mamori.core.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of the hand-written address reader ({@link Mailbox}): any header value gives its mailboxes
 * without an exception, and the sender as the reader takes it ({@link Mailbox#sender}) is the first of them with an
 * address, its display name holding that mailbox's own; padding (empty items, bare words) does not hide it; a name standing apart ({@link Mailbox#detachedName})
 * is only found beside an address. In the
 * test suite this runs the inputs under {@code MailboxFuzzTestInputs/}; {@code bench/fuzz.sh} fuzzes it
 * (bench/README.md).
 */
class MailboxFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void readsAnyFromField(@NotNull String value) {
        java.util.List<Mailbox> all = Mailbox.parseList(value);
        Optional<Mailbox> sender = Mailbox.sender(value);
        // an address: an @ outside quotes ("Delivery@GLS.de" alone is a phrase the reader sees as a name)
        Optional<Mailbox> firstWithAddress = all.stream().filter(m -> Mailbox.hasDomainPart(m.address())).findFirst();
        // parseList stops after 50 mailboxes (bare words among them); the sender is looked for in the whole field, and
        // is the first mailbox as it is when none has an address with @ (sender.get() is then that one, or one with @
        // past the first 50)
        if (sender.isPresent() && !Mailbox.hasDomainPart(sender.get().address())) {
            assertThat(sender).isEqualTo(Mailbox.first(value));
        }
        firstWithAddress.ifPresent(f -> {
            assertThat(sender).isPresent();
            assertThat(sender.get().address()).isEqualTo(f.address());
            assertThat(sender.get().displayName()).contains(f.displayName());
        });
        // a detached name is shown beside an address: never found in a field without one, never blank
        Mailbox.detachedName(value).ifPresent(name -> {
            assertThat(name).isNotBlank();
            assertThat(sender).isPresent();
            assertThat(Mailbox.hasDomainPart(sender.get().address())).isTrue();
        });
    }
}
