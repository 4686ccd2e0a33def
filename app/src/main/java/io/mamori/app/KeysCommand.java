package io.mamori.app;

import io.mamori.gateway.crypto.MasterKeys;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "keys", mixinStandardHelpOptions = true, description = "Encryption-at-rest key commands.",
        subcommands = KeysCommand.Rotate.class)
final class KeysCommand extends CliHelp.Group {

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Add a new master key, make it primary, and re-wrap every stored message key under it.",
                "Old master keys stay in the keyset (so nothing becomes unreadable); a backup of the previous keyset is kept."})
    static final class Rotate implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return QueueCommand.withStore(s -> {
                MasterKeys.Rotation rotation;
                int rewrapped;
                try {
                    rotation = s.keys().rotate();
                    rewrapped = s.store().rewrapKeys();
                } catch (Exception e) {
                    s.audit().record(CliAudit.entry("keys.rotate", "master-key", null, "failed: " + e.getMessage(), false));
                    throw e;
                }
                s.audit().record(CliAudit.entry("keys.rotate", "master-key",
                        "primary " + Integer.toUnsignedString(rotation.previousPrimaryId()),
                        "primary " + Integer.toUnsignedString(rotation.newPrimaryId()) + "; " + rewrapped
                                + " message key(s) re-wrapped", true));
                System.out.printf("new primary master key %s (was %s); %d message key(s) re-wrapped; previous keyset saved as %s%n",
                        Integer.toUnsignedString(rotation.newPrimaryId()), Integer.toUnsignedString(rotation.previousPrimaryId()), rewrapped, rotation.backup());
                return 0;
            });
        }
    }
}
