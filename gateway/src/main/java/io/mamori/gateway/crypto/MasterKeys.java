package io.mamori.gateway.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AeadKey;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master keyset (Tink AEAD, AES256_GCM) that wraps every message's {@link ContentKey}.
 *
 * <p>The keyset lives in {@code <dir>/master-keyset.json}, created on first start with mode 0600 in a
 * 0700 directory and always replaced atomically (write a temporary file, fsync, rename, fsync the
 * directory). It is stored unencrypted: whoever can read that file can read the mail, so the directory
 * belongs on a disk with the same protection as the database; a KMS-wrapped keyset is a later option. A missing file
 * is created afresh only while the database holds nothing encrypted ({@link #openOrCreate(Path, EncryptedData)}):
 * otherwise it was lost, and is refused ({@link KeysetMissing}).
 *
 * <p>Rotation ({@link #rotate()}) adds a fresh AES256_GCM key and makes it primary; the earlier keys stay
 * in the keyset, so every wrapped content key remains readable, and a copy of the previous file is kept as
 * {@code master-keyset-<UTC time>.json.bak}. New content keys are wrapped under the new primary at once;
 * existing ones move over when the store re-wraps them ({@code MessageStore.rewrapKeys()}), and secrets when they are
 * encrypted again ({@link #reencryptSecret}; the {@code keys rotate} command does both). Follow-up for
 * operators: once both have finished and no row still names an old key id, the old keys can be
 * disabled and later destroyed with Tink's tooling ({@code tinkey}), and the backup files deleted; until
 * then they hold the same secrets as the live keyset.
 *
 * <p>A rotation by another process (the {@code keys rotate} command while the gateway runs) is picked up:
 * an unwrap that fails re-reads the file if it changed, wrapping checks the file every few seconds, and encrypting a
 * secret checks it every time.
 * Rotations are serialised across processes with a lock file in the same directory.
 *
 * <p>Thread-safe. Key material is never logged or shown by {@code toString()}; key ids are not secret.
 */
public final class MasterKeys {

    public static final String KEYSET_FILE = "master-keyset.json";
    private static final String LOCK_FILE = ".lock";
    private static final long RELOAD_CHECK_NANOS = 5_000_000_000L;
    private static final Logger log = LoggerFactory.getLogger(MasterKeys.class);
    private static final DateTimeFormatter BACKUP_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'");
    private static boolean tinkRegistered;

    private final Path dir;
    private final Path file;
    private volatile Snapshot current;
    private volatile long lastReloadCheck = System.nanoTime();

    /** What one load of the keyset file yields; {@code fileKey} tells whether the file was replaced since. */
    private record Snapshot(KeysetHandle keyset, Aead aead, int primaryId, Object fileKey) {
    }

    /**
     * Outcome of {@link #rotate()}.
     *
     * @param previousPrimaryId the primary key id before
     * @param newPrimaryId      the new primary key id
     * @param backup            copy of the keyset file as it was before the rotation
     */
    public record Rotation(int previousPrimaryId, int newPrimaryId, Path backup) {
    }

    private MasterKeys(Path dir, Snapshot snapshot) {
        this.dir = dir;
        this.file = dir.resolve(KEYSET_FILE);
        this.current = snapshot;
    }

    /**
     * Tells {@link #openOrCreate(Path, EncryptedData)} whether the database already holds data encrypted under a master
     * keyset, which a newly generated keyset could not read.
     */
    @FunctionalInterface
    public interface EncryptedData {
        /** Whether anything encrypted under a master key is stored (a wrapped content key, a TOTP key). */
        boolean exists() throws IOException;
    }

    /**
     * The keyset file is missing while the database holds data encrypted under it: the keys directory was not restored
     * with the data, or the disk that holds it is not mounted. A new keyset would leave every stored message unreadable
     * and encrypt new mail under keys the old data knows nothing of, so none is created.
     */
    public static final class KeysetMissing extends IOException {
        private static final long serialVersionUID = 1L;

        private final Path directory;
        private final String messageJa;

        KeysetMissing(Path directory) {
            super("the master keyset " + directory.resolve(KEYSET_FILE) + " is missing, but the database holds data encrypted"
                    + " under master keys (message keys or TOTP keys); a new keyset would leave it unreadable, so none is"
                    + " created. Restore the keys directory " + directory + " from the backup taken with the data, or mount"
                    + " the disk that holds it, and try again");
            this.directory = directory;
            this.messageJa = "マスター鍵セット " + directory.resolve(KEYSET_FILE) + " がありませんが、データベースにはマスター鍵で"
                    + "暗号化されたデータ（メッセージ鍵または TOTP 鍵）があります。新しい鍵セットではそれらを読めないため、作成しません。"
                    + "鍵ディレクトリ " + directory + " をデータと同時に取ったバックアップから戻すか、それを置くディスクをマウントしてから"
                    + "やり直してください";
        }

        /** The keys directory that should hold the keyset. */
        public Path directory() {
            return directory;
        }

        /** The reason in Japanese. */
        public String messageJa() {
            return messageJa;
        }

        /** Japanese first, then English. */
        public String bilingual() {
            return messageJa + " / " + getMessage();
        }
    }

    /** Loads the keyset under {@code dir}, creating the directory and a new keyset on first start. */
    public static MasterKeys openOrCreate(Path dir) throws IOException {
        return openOrCreate(dir, () -> false);
    }

    /**
     * Loads the keyset under {@code dir}; creates the directory and a new keyset only when there is none and
     * {@code existing} says that nothing encrypted is stored yet (a first start).
     *
     * @throws KeysetMissing if the keyset file is missing but {@code existing} holds data
     */
    public static MasterKeys openOrCreate(Path dir, EncryptedData existing) throws IOException {
        Objects.requireNonNull(existing, "existing");
        registerTink();
        Path absolute = dir.toAbsolutePath().normalize();
        Path file = absolute.resolve(KEYSET_FILE);
        // Before anything is created: a keys disk that did not mount must not gain a directory and a keyset.
        if (Files.notExists(file) && existing.exists()) {
            throw new KeysetMissing(absolute);
        }
        createPrivateDirectories(absolute);
        try (var lock = lockDirectory(absolute)) {
            if (Files.notExists(file)) {
                KeysetHandle fresh = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
                writePrivately(file, serialize(fresh));
                log.info("Created master keyset {} (primary key id {})", file, Integer.toUnsignedString(fresh.getPrimary().getId()));
            }
            warnIfReadableByOthers(file);
            return new MasterKeys(absolute, load(file));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot create master keyset in " + absolute, e);
        }
    }

    /** Adds a new key, makes it primary and writes the keyset back (keeping a backup of the old file). */
    public Rotation rotate() throws IOException {
        try (var lock = lockDirectory(dir)) {
            Snapshot before = load(file);
            KeysetHandle rotated = KeysetHandle.newBuilder(before.keyset())
                    .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                            .withRandomId().makePrimary())
                    .build();
            String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(BACKUP_STAMP);
            Path backup = dir.resolve("master-keyset-" + stamp + ".json.bak");
            writePrivately(backup, Files.readAllBytes(file));
            writePrivately(file, serialize(rotated));
            current = load(file);
            log.info("Rotated master keyset {}: primary key id {} -> {}", file,
                    Integer.toUnsignedString(before.primaryId()), Integer.toUnsignedString(current.primaryId()));
            return new Rotation(before.primaryId(), current.primaryId(), backup);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot rotate master keyset " + file, e);
        }
    }

    /** Encrypts {@code key} under the primary master key, bound to {@code messageId}. */
    public WrappedKey wrap(ContentKey key, String messageId) throws IOException {
        Objects.requireNonNull(messageId, "messageId");
        if (System.nanoTime() - lastReloadCheck > RELOAD_CHECK_NANOS) {
            lastReloadCheck = System.nanoTime();
            reloadIfReplaced();
        }
        Snapshot s = current;
        try {
            byte[] wrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(
                    key.keyset(), s.aead(), ContentKey.associatedData(messageId));
            return new WrappedKey(wrapped, s.primaryId());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot wrap the content key of message " + messageId, e);
        }
    }

    /** Decrypts a wrapped content key; fails if it was not wrapped for {@code messageId} or is damaged. */
    public ContentKey unwrap(byte[] wrapped, String messageId) throws IOException {
        Objects.requireNonNull(messageId, "messageId");
        try {
            return unwrapWith(current, wrapped, messageId);
        } catch (GeneralSecurityException first) {
            if (reloadIfReplaced()) {
                try {
                    return unwrapWith(current, wrapped, messageId);
                } catch (GeneralSecurityException again) {
                    first = again;
                }
            }
            throw new IOException("cannot unwrap the content key of message " + messageId
                    + " with master keyset " + file + " (wrong keyset or damaged row)", first);
        }
    }

    /**
     * Encrypts a small secret that is not message content (a console user's TOTP key) under the primary master
     * key, bound to {@code context} (e.g. {@code totp:taro@example.co.jp}) so that a ciphertext copied into
     * another row does not decrypt there. The ciphertext names its key, so it stays readable after a rotation.
     */
    public byte[] encryptSecret(byte[] plaintext, String context) throws IOException {
        Objects.requireNonNull(context, "context");
        // Secrets are few (an enrolment now and then): one look at the file each time, so that a secret is never
        // sealed under a primary key that a rotation by another process has already replaced.
        reloadIfReplaced();
        try {
            return current.aead().encrypt(plaintext, secretAssociatedData(context));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encrypt the secret for " + context, e);
        }
    }

    /** Decrypts what {@link #encryptSecret} returned for the same {@code context}. */
    public byte[] decryptSecret(byte[] ciphertext, String context) throws IOException {
        Objects.requireNonNull(context, "context");
        try {
            return current.aead().decrypt(ciphertext, secretAssociatedData(context));
        } catch (GeneralSecurityException first) {
            if (reloadIfReplaced()) {
                try {
                    return current.aead().decrypt(ciphertext, secretAssociatedData(context));
                } catch (GeneralSecurityException again) {
                    first = again;
                }
            }
            throw new IOException("cannot decrypt the secret for " + context + " with master keyset " + file
                    + " (wrong keyset or damaged row)", first);
        }
    }

    /**
     * The secret of {@code ciphertext} (from {@link #encryptSecret} for {@code context}) encrypted again under the
     * primary key, or empty when the primary key already encrypts it: for moving secrets to a new primary key after a
     * rotation, so that the old keys can be retired.
     */
    public Optional<byte[]> reencryptSecret(byte[] ciphertext, String context) throws IOException {
        Objects.requireNonNull(ciphertext, "ciphertext");
        reloadIfReplaced();
        if (startsWith(ciphertext, primaryOutputPrefix(current))) {
            return Optional.empty();
        }
        byte[] plaintext = decryptSecret(ciphertext, context);
        try {
            return Optional.of(encryptSecret(plaintext, context));
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    /** The bytes every ciphertext of the primary key begins with (Tink's output prefix: a marker and the key id). */
    private static byte[] primaryOutputPrefix(Snapshot s) {
        return ((AeadKey) s.keyset().getPrimary().getKey()).getOutputPrefix().toByteArray();
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return prefix.length > 0 && bytes.length >= prefix.length
                && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] secretAssociatedData(String context) {
        // A prefix of its own, so that no secret's associated data can equal a message's.
        return ("mamori-secret\0" + context).getBytes(StandardCharsets.UTF_8);
    }

    /** Id of the key that wraps new content keys. */
    public int primaryKeyId() {
        return current.primaryId();
    }

    /** Ids of every key in the keyset (any status), in keyset order. */
    public List<Integer> keyIds() {
        KeysetHandle keyset = current.keyset();
        List<Integer> ids = new ArrayList<>(keyset.size());
        for (int i = 0; i < keyset.size(); i++) {
            ids.add(keyset.getAt(i).getId());
        }
        return List.copyOf(ids);
    }

    /** Ids of the keys that can still decrypt (status ENABLED). */
    public List<Integer> enabledKeyIds() {
        KeysetHandle keyset = current.keyset();
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < keyset.size(); i++) {
            if (keyset.getAt(i).getStatus() == KeyStatus.ENABLED) {
                ids.add(keyset.getAt(i).getId());
            }
        }
        return List.copyOf(ids);
    }

    public Path keysetFile() {
        return file;
    }

    @Override
    public String toString() {
        return "MasterKeys[" + file + ", primary=" + Integer.toUnsignedString(current.primaryId()) + "]";
    }

    static synchronized void registerTink() {
        if (tinkRegistered) {
            return;
        }
        try {
            AeadConfig.register();
            StreamingAeadConfig.register();
            tinkRegistered = true;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot register Tink primitives", e);
        }
    }

    private static ContentKey unwrapWith(Snapshot s, byte[] wrapped, String messageId) throws GeneralSecurityException {
        return new ContentKey(TinkProtoKeysetFormat.parseEncryptedKeyset(
                wrapped, s.aead(), ContentKey.associatedData(messageId)));
    }

    private synchronized boolean reloadIfReplaced() {
        try {
            Object fileKey = fileKey(file);
            if (Objects.equals(fileKey, current.fileKey())) {
                return false;
            }
            current = load(file);
            log.info("Reloaded master keyset {} (primary key id {})", file, Integer.toUnsignedString(current.primaryId()));
            return true;
        } catch (IOException e) {
            log.warn("Cannot re-read master keyset {}: {}", file, e.getMessage());
            return false;
        }
    }

    private static Snapshot load(Path file) throws IOException {
        Object fileKey = fileKey(file);
        String json = Files.readString(file, StandardCharsets.UTF_8);
        try {
            KeysetHandle keyset = TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get());
            Aead aead = keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
            return new Snapshot(keyset, aead, keyset.getPrimary().getId(), fileKey);
        } catch (GeneralSecurityException e) {
            throw new IOException("master keyset " + file + " is not a valid Tink AEAD keyset", e);
        }
    }

    private static Object fileKey(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        Object key = attributes.fileKey();
        // Without inode numbers (some file systems), fall back to time and size.
        return key != null ? key : attributes.lastModifiedTime() + "/" + attributes.size();
    }

    private static byte[] serialize(KeysetHandle keyset) throws GeneralSecurityException {
        return TinkJsonProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get())
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Write-then-rename so a crash never leaves a half-written keyset; 0600 from the start, never wider. */
    private static void writePrivately(Path target, byte[] content) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    privateFile())) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static FileAttribute<?>[] privateFile() {
        return posix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    private static void createPrivateDirectories(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        if (directory.getParent() != null) {
            Files.createDirectories(directory.getParent());
        }
        if (posix()) {
            Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectory(directory);
        }
    }

    private static void warnIfReadableByOthers(Path file) throws IOException {
        if (!posix()) {
            return;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
            log.warn("Master keyset {} is readable by group or others ({}); it should be mode 0600",
                    file, PosixFilePermissions.toString(permissions));
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static DirectoryLock lockDirectory(Path directory) throws IOException {
        return new DirectoryLock(directory);
    }

    /**
     * Serialises writers of one key directory: an OS file lock for other processes, plus a JVM-wide set
     * because a {@link FileLock} belongs to the whole process and cannot exclude a second thread.
     */
    private static final class DirectoryLock implements AutoCloseable {
        private static final Set<Path> LOCKED_IN_THIS_JVM = new HashSet<>();
        private final Path directory;
        private final FileChannel channel;
        private final FileLock lock;

        DirectoryLock(Path directory) throws IOException {
            this.directory = directory;
            acquireInJvm(directory);
            FileChannel opened = null;
            try {
                opened = FileChannel.open(directory.resolve(LOCK_FILE),
                        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), privateFile());
                this.lock = opened.lock();
                this.channel = opened;
            } catch (IOException | RuntimeException e) {
                if (opened != null) {
                    opened.close();
                }
                releaseInJvm(directory);
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
                channel.close();
            } finally {
                releaseInJvm(directory);
            }
        }

        private static void acquireInJvm(Path directory) throws IOException {
            synchronized (LOCKED_IN_THIS_JVM) {
                while (LOCKED_IN_THIS_JVM.contains(directory)) {
                    try {
                        LOCKED_IN_THIS_JVM.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while waiting for the key directory lock", e);
                    }
                }
                LOCKED_IN_THIS_JVM.add(directory);
            }
        }

        private static void releaseInJvm(Path directory) {
            synchronized (LOCKED_IN_THIS_JVM) {
                LOCKED_IN_THIS_JVM.remove(directory);
                LOCKED_IN_THIS_JVM.notifyAll();
            }
        }
    }
}
