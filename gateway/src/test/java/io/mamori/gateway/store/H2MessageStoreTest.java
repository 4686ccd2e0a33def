package io.mamori.gateway.store;

import java.nio.file.Path;

class H2MessageStoreTest extends MessageStoreContract {

    @Override
    Databases.Settings freshDatabase(Path dir) {
        return Databases.Settings.embedded(dir.resolve("db"));
    }
}
