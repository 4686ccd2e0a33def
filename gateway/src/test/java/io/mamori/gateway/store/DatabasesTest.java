package io.mamori.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabasesTest {

    @TempDir
    Path dir;

    @Test
    void unsupportedUrlsAreRefusedByName() {
        assertThatThrownBy(() -> new Databases.Settings("jdbc:mysql://db/mamori?password=hunter2", "u", "p", 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:mysql://db/mamori")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void settingsNeverShowThePassword() {
        Databases.Settings settings = new Databases.Settings("jdbc:postgresql://db/mamori", "mamori", "hunter2", 4);
        assertThat(settings.toString()).doesNotContain("hunter2").contains("***");
    }

    @Test
    void migrationsCreateTheSchemaOnceAndAreRepeatable() throws Exception {
        Databases.Settings settings = Databases.Settings.embedded(dir);
        try (HikariDataSource ds = Databases.open(settings)) {
            assertThat(ds.getJdbcUrl()).startsWith("jdbc:h2:file:");
        }
        try (HikariDataSource ds = Databases.open(settings);
             Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM messages")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isZero();
        }
    }
}
