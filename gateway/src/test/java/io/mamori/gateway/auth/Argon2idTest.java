package io.mamori.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Argon2idTest {

    @Test
    void theOwaspParametersAreWrittenIntoThePhcString() {
        String hash = Argon2id.OWASP.hash("correct horse");
        assertThat(hash).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        assertThat(Argon2id.verify(hash, "correct horse")).isTrue();
        assertThat(Argon2id.verify(hash, "correct horsf")).isFalse();
    }

    @Test
    void theSameParametersGiveTheReferenceHash() {
        // Computed with the reference implementation's CLI (Debian package argon2 0~20171227):
        // echo -n password | argon2 somesalt -id -v 13 -m 10 -t 2 -p 1 -l 32 -e
        String reference = "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk";
        assertThat(Argon2id.verify(reference, "password")).isTrue();
        assertThat(Argon2id.verify(reference, "Password")).isFalse();
    }

    @Test
    void malformedOrExcessiveHashesNeverVerify() {
        String valid = Argon2id.OWASP.hash("pw");
        assertThat(Argon2id.verify(valid.replace("argon2id", "argon2i"), "pw")).isFalse();
        assertThat(Argon2id.verify(valid.replace("m=19456", "m=9999999"), "pw")).isFalse();
        assertThat(Argon2id.verify(valid.replace("t=2", "t=999"), "pw")).isFalse();
        assertThat(Argon2id.verify("", "pw")).isFalse();
        assertThat(Argon2id.verify(valid.substring(0, valid.length() - 5), "pw")).isFalse();
    }
}
