package io.mamori.gateway.store;

import java.nio.file.Path;

class H2ListsContactsRequestsTest extends ListsContactsRequestsContract {

    @Override
    Databases.Settings freshDatabase(Path dir) {
        return Databases.Settings.embedded(dir.resolve("db"));
    }
}
