package io.mamori.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Binds {@link MamoriProperties} for the offline commands (scan, queue, keys, users, policy) with the same
 * precedence as {@code start} — command line, Java system properties, environment,
 * {@code ./config/mamori.properties}, built-in
 * defaults — but without starting a Spring context, which would cost seconds per command.
 */
final class Settings {

    private Settings() {
    }

    /**
     * The settings as configured.
     *
     * @throws InvalidSetting naming the first key whose value cannot be used (and the value, unless it is a secret)
     */
    static MamoriProperties load(List<String> overrides) {
        Map<String, String> args = new HashMap<>();
        for (String arg : overrides) {
            String a = arg.startsWith("--") ? arg.substring(2) : arg;
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected --key=value, got: " + arg);
            }
            args.put(a.substring(0, eq), a.substring(eq + 1));
        }
        Map<String, String> file = new HashMap<>();
        Path local = Path.of("config", "mamori.properties");
        if (Files.isRegularFile(local)) {
            try (InputStream in = Files.newInputStream(local)) {
                file = read(in);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + local + ": " + e.getMessage(), e);
            }
        }
        Map<String, String> defaults = read(Settings.class.getResourceAsStream("/application.properties"));
        List<ConfigurationPropertySource> sources = new ArrayList<>();
        sources.add(new MapConfigurationPropertySource(args));
        Map<String, String> system = new HashMap<>();
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("mamori.")) {
                system.put(k.toString(), v.toString());
            }
        });
        sources.add(new MapConfigurationPropertySource(system));
        ConfigurationPropertySources.from(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new HashMap<>(System.getenv())))
                .forEach(sources::add);
        sources.add(new MapConfigurationPropertySource(file));
        sources.add(new MapConfigurationPropertySource(defaults));
        try {
            return new Binder(sources).bind("mamori", MamoriProperties.class)
                    .orElseThrow(() -> new IllegalStateException("no mamori.* settings found"));
        } catch (BindException e) {
            throw InvalidSetting.of(e);
        }
    }

    private static Map<String, String> read(InputStream in) {
        Map<String, String> map = new HashMap<>();
        if (in == null) {
            return map;
        }
        Properties p = new Properties();
        try (Reader r = new java.io.InputStreamReader(in, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read settings: " + e.getMessage(), e);
        }
        p.forEach((k, v) -> map.put(k.toString(), v.toString()));
        return map;
    }
}
