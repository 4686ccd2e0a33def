package io.mamori.app;

import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.gateway.crypto.MasterKeys;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"保存データの暗号鍵を管理します。", "Encryption-at-rest key commands."},
        subcommands = KeysCommand.Rotate.class)
final class KeysCommand extends CliHelp.Group {

    /** Nothing rotates the keys of a running gateway. */
    static final LocalStore.Command STORE = new LocalStore.Command("keys", null, null);

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"新しいマスター鍵を追加して主鍵にし、保存済みのすべてのメッセージ鍵とコンソールの TOTP 鍵をその鍵で暗号化し直します。",
                "古いマスター鍵もキーセットに残るため、読めなくなるデータはありません。変更前のキーセットはバックアップとして残します。",
                "Add a new master key, make it primary, and re-wrap every stored message key and console TOTP key under it.",
                "Old master keys stay in the keyset (so nothing becomes unreadable); a backup of the previous keyset is kept."})
    static final class Rotate implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return LocalStore.with(STORE, s -> {
                MasterKeys.Rotation rotation;
                int rewrapped;
                ConsoleAccounts.Reencryption totp;
                try {
                    rotation = s.keys().rotate();
                    rewrapped = s.store().rewrapKeys();
                    Clock clock = Clock.systemUTC();
                    totp = ConsoleConfiguration.accounts(s, new JdbcDirectory(s.dataSource(), clock),
                            Settings.load(List.of()), clock).reencryptTotpSecrets();
                } catch (Exception e) {
                    s.audit().record(CliAudit.entry("keys.rotate", "master-key", null, "failed: " + e.getMessage(), false));
                    throw e;
                }
                s.audit().record(CliAudit.entry("keys.rotate", "master-key",
                        "primary " + Integer.toUnsignedString(rotation.previousPrimaryId()),
                        "primary " + Integer.toUnsignedString(rotation.newPrimaryId()) + "; " + rewrapped
                                + " message key(s) re-wrapped; " + totp.reencrypted() + " TOTP key(s) re-encrypted"
                                + (totp.unreadable() == 0 ? "" : "; " + totp.unreadable() + " TOTP key(s) unreadable"), true));
                String newId = Integer.toUnsignedString(rotation.newPrimaryId());
                String oldId = Integer.toUnsignedString(rotation.previousPrimaryId());
                System.out.printf("新しい主マスター鍵 %s（以前は %s）。メッセージ鍵 %d 件を包み直し、TOTP 鍵 %d 件を暗号化し直し、"
                        + "変更前のキーセットを %s に保存しました / new primary master key %s (was %s); %d message key(s)"
                        + " re-wrapped; %d TOTP key(s) re-encrypted; previous keyset saved as %s%n", newId, oldId, rewrapped,
                        totp.reencrypted(), rotation.backup(), newId, oldId, rewrapped, totp.reencrypted(), rotation.backup());
                if (totp.unreadable() > 0) {
                    System.err.printf("keys: TOTP 鍵 %d 件は復号できないため、そのままです。該当するユーザーは確認コードでサインインできません"
                            + "（リカバリーコードは使えます）。古いマスター鍵を削除しないでください / %d TOTP key(s) cannot be"
                            + " decrypted and stay as they are: their users cannot sign in with a code (recovery codes still"
                            + " work); do not destroy the old master keys%n", totp.unreadable(), totp.unreadable());
                }
                return 0;
            });
        }
    }
}
