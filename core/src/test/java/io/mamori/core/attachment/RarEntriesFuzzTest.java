package io.mamori.core.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Any bytes after a RAR 4 or RAR 5 signature: {@link RarEntries} lists entries or ends in an {@link IOException},
 * never another exception, and never reads past the input or loops. In the test suite this runs the inputs under
 * {@code RarEntriesFuzzTestInputs/} (what earlier fuzzing found, kept as regression cases); {@code bench/fuzz.sh}
 * fuzzes it.
 */
class RarEntriesFuzzTest {

    private static final byte[] RAR4 = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x00};
    private static final byte[] RAR5 = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x01, 0x00};

    @FuzzTest(maxDuration = "60s")
    void listsEntriesOrFailsWithAnIoException(FuzzedDataProvider data) {
        byte[] signature = data.consumeBoolean() ? RAR5 : RAR4;
        byte[] rest = data.consumeRemainingAsBytes();
        byte[] archive = new byte[signature.length + rest.length];
        System.arraycopy(signature, 0, archive, 0, signature.length);
        System.arraycopy(rest, 0, archive, signature.length, rest.length);
        try {
            RarEntries entries = new RarEntries(new ByteArrayInputStream(archive));
            int listed = 0;
            for (RarEntries.Entry e = entries.next(); e != null; e = entries.next()) {
                assertThat(e.name()).isNotNull();
                assertThat(e.name().length()).isLessThanOrEqualTo(RarEntries.MAX_NAME);
                assertThat(e.size()).isGreaterThanOrEqualTo(-1);
                try (InputStream in = entries.data()) {
                    long read = in.transferTo(java.io.OutputStream.nullOutputStream());
                    assertThat(read).isLessThanOrEqualTo(archive.length);
                }
                // every entry takes at least a header's bytes of the input: more entries than bytes is a loop
                assertThat(++listed).isLessThanOrEqualTo(archive.length);
            }
        } catch (IOException expected) {
            // a damaged or truncated archive: the caller names it as not inspected
        }
    }
}
