package io.mamori.gateway.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeysTest {

    @TempDir
    Path dir;

    @Test
    void firstStartCreatesAPrivateKeysetThatLaterStartsReuse() throws Exception {
        Path keysDir = dir.resolve("data/keys");
        MasterKeys created = MasterKeys.openOrCreate(keysDir);

        assertThat(created.keysetFile()).isEqualTo(keysDir.resolve("master-keyset.json").toAbsolutePath());
        assertThat(Files.getPosixFilePermissions(created.keysetFile())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(keysDir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(MasterKeys.openOrCreate(keysDir).primaryKeyId()).isEqualTo(created.primaryKeyId());
        try (var files = Files.list(keysDir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("master-keyset.json", ".lock");
        }
        assertThat(created.toString()).doesNotContain("value");
    }

    @Test
    void wrappedContentKeyDecryptsOnlyForItsOwnMessage() throws Exception {
        MasterKeys keys = MasterKeys.openOrCreate(dir);
        ContentKey key = ContentKey.generate();
        byte[] ciphertext = encrypt(key, "01JAAAAAAAAAAAAAAAAAAAAAAA", "社外秘の本文");
        WrappedKey wrapped = keys.wrap(key, "01JAAAAAAAAAAAAAAAAAAAAAAA");

        assertThat(wrapped.masterKeyId()).isEqualTo(keys.primaryKeyId());
        ContentKey unwrapped = keys.unwrap(wrapped.ciphertext(), "01JAAAAAAAAAAAAAAAAAAAAAAA");
        assertThat(decrypt(unwrapped, "01JAAAAAAAAAAAAAAAAAAAAAAA", ciphertext)).isEqualTo("社外秘の本文");
        assertThatThrownBy(() -> keys.unwrap(wrapped.ciphertext(), "01JBBBBBBBBBBBBBBBBBBBBBBB"))
                .isInstanceOf(IOException.class).hasMessageContaining("01JBBBBBBBBBBBBBBBBBBBBBBB");
        assertThatThrownBy(() -> decrypt(unwrapped, "01JBBBBBBBBBBBBBBBBBBBBBBB", ciphertext)).isInstanceOf(IOException.class);
        MasterKeys other = MasterKeys.openOrCreate(dir.resolve("other"));
        assertThatThrownBy(() -> other.unwrap(wrapped.ciphertext(), "01JAAAAAAAAAAAAAAAAAAAAAAA")).isInstanceOf(IOException.class);
    }

    @Test
    void rotationKeepsOldKeysSoEarlierWrapsStillOpen() throws Exception {
        MasterKeys keys = MasterKeys.openOrCreate(dir);
        ContentKey key = ContentKey.generate();
        WrappedKey before = keys.wrap(key, "01JAAAAAAAAAAAAAAAAAAAAAAA");

        MasterKeys.Rotation rotation = keys.rotate();

        assertThat(keys.keyIds()).containsExactlyInAnyOrder(rotation.previousPrimaryId(), rotation.newPrimaryId());
        assertThat(keys.enabledKeyIds()).hasSize(2);
        assertThat(keys.wrap(key, "01JAAAAAAAAAAAAAAAAAAAAAAA").masterKeyId()).isEqualTo(rotation.newPrimaryId());
        assertThat(keys.unwrap(before.ciphertext(), "01JAAAAAAAAAAAAAAAAAAAAAAA")).isNotNull();
        assertThat(Files.readString(rotation.backup())).isNotEqualTo(Files.readString(keys.keysetFile()));
        assertThat(MasterKeys.openOrCreate(dir).primaryKeyId()).isEqualTo(rotation.newPrimaryId());
    }

    @Test
    void aRotationByAnotherInstanceIsPickedUpWhenUnwrapping() throws Exception {
        MasterKeys gateway = MasterKeys.openOrCreate(dir);
        MasterKeys command = MasterKeys.openOrCreate(dir);
        command.rotate();
        ContentKey key = ContentKey.generate();
        WrappedKey underNewKey = command.wrap(key, "01JAAAAAAAAAAAAAAAAAAAAAAA");

        assertThat(gateway.unwrap(underNewKey.ciphertext(), "01JAAAAAAAAAAAAAAAAAAAAAAA")).isNotNull();
        assertThat(gateway.primaryKeyId()).isEqualTo(command.primaryKeyId());
    }

    @Test
    void aSecretDecryptsOnlyInItsOwnContextAndSurvivesARotation() throws Exception {
        MasterKeys keys = MasterKeys.openOrCreate(dir);
        byte[] secret = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
        byte[] sealed = keys.encryptSecret(secret, "totp:taro@example.co.jp");

        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("1234567890");
        assertThatThrownBy(() -> keys.decryptSecret(sealed, "totp:hanako@example.co.jp"))
                .isInstanceOf(IOException.class).hasMessageContaining("totp:hanako@example.co.jp");
        keys.rotate();
        assertThat(keys.decryptSecret(sealed, "totp:taro@example.co.jp")).isEqualTo(secret);
    }

    @Test
    void aSecretEncryptedAfterARotationByAnotherInstanceNamesTheNewPrimaryKey() throws Exception {
        MasterKeys gateway = MasterKeys.openOrCreate(dir);
        MasterKeys command = MasterKeys.openOrCreate(dir);
        MasterKeys.Rotation rotation = command.rotate();

        byte[] sealed = gateway.encryptSecret("12345678901234567890".getBytes(StandardCharsets.US_ASCII), "totp:taro@example.co.jp");

        assertThat(tinkKeyId(sealed)).isEqualTo(rotation.newPrimaryId());
    }

    @Test
    void aSecretIsReencryptedUnderTheNewPrimaryKeyOnceAndThenLeftAlone() throws Exception {
        MasterKeys keys = MasterKeys.openOrCreate(dir);
        byte[] secret = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
        byte[] sealed = keys.encryptSecret(secret, "totp:taro@example.co.jp");
        assertThat(keys.reencryptSecret(sealed, "totp:taro@example.co.jp")).as("already under the primary key").isEmpty();

        MasterKeys.Rotation rotation = keys.rotate();
        byte[] again = keys.reencryptSecret(sealed, "totp:taro@example.co.jp").orElseThrow();

        assertThat(tinkKeyId(sealed)).isEqualTo(rotation.previousPrimaryId());
        assertThat(tinkKeyId(again)).isEqualTo(rotation.newPrimaryId());
        assertThat(keys.decryptSecret(again, "totp:taro@example.co.jp")).isEqualTo(secret);
        assertThat(keys.reencryptSecret(again, "totp:taro@example.co.jp")).isEmpty();
        assertThatThrownBy(() -> keys.reencryptSecret(sealed, "totp:hanako@example.co.jp"))
                .as("bound to its context as before").isInstanceOf(IOException.class);
    }

    @Test
    void aMissingKeysetIsNotCreatedAfreshWhileEncryptedDataExists() throws Exception {
        Path keysDir = dir.resolve("data/keys");
        assertThatThrownBy(() -> MasterKeys.openOrCreate(keysDir, () -> true))
                .isInstanceOfSatisfying(MasterKeys.KeysetMissing.class, e -> {
                    assertThat(e.directory()).isEqualTo(keysDir.toAbsolutePath());
                    assertThat(e.bilingual()).startsWith("マスター鍵セット " + keysDir.toAbsolutePath().resolve("master-keyset.json")
                            + " がありませんが、").contains("鍵ディレクトリ " + keysDir.toAbsolutePath() + " をデータと同時に取った")
                            .contains(" / the master keyset " + keysDir.toAbsolutePath().resolve("master-keyset.json") + " is missing")
                            .contains("Restore the keys directory " + keysDir.toAbsolutePath() + " from the backup");
                });
        assertThat(keysDir).as("nothing created").doesNotExist();

        MasterKeys created = MasterKeys.openOrCreate(keysDir, () -> false);
        assertThat(MasterKeys.openOrCreate(keysDir, () -> true).primaryKeyId()).as("an existing keyset opens")
                .isEqualTo(created.primaryKeyId());
    }

    /** The key id in a Tink ciphertext's output prefix (0x01, then the id big-endian), read without Tink. */
    private static int tinkKeyId(byte[] ciphertext) {
        assertThat(ciphertext[0]).as("Tink output prefix").isEqualTo((byte) 1);
        return java.nio.ByteBuffer.wrap(ciphertext, 1, 4).getInt();
    }

    @Test
    void aDamagedKeysetFileIsReportedByName() throws Exception {
        Files.writeString(dir.resolve("master-keyset.json"), "{\"primaryKeyId\": 1}");
        assertThatThrownBy(() -> MasterKeys.openOrCreate(dir))
                .isInstanceOf(IOException.class).hasMessageContaining("master-keyset.json");
    }

    @Test
    void keysNeverShowTheirMaterial() throws Exception {
        MasterKeys keys = MasterKeys.openOrCreate(dir);
        WrappedKey wrapped = keys.wrap(ContentKey.generate(), "01JAAAAAAAAAAAAAAAAAAAAAAA");
        assertThat(ContentKey.generate().toString()).isEqualTo("ContentKey[redacted]");
        assertThat(wrapped.toString()).startsWith("WrappedKey[masterKeyId=").endsWith("bytes]");
    }

    private static byte[] encrypt(ContentKey key, String id, String text) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = key.encrypt(sink, id)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return sink.toByteArray();
    }

    private static String decrypt(ContentKey key, String id, byte[] ciphertext) throws IOException {
        try (InputStream in = key.decrypt(new ByteArrayInputStream(ciphertext), id)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
