package io.mamori.app;

import io.mamori.core.text.InvalidInput;
import java.time.Duration;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * A {@code mamori.*} setting whose value cannot be used: {@code mamori.smtp.inbound.port='70000': …}, the key, the
 * value as given and the reason, in Japanese ({@link #messageJa()}) and English ({@link #getMessage()}). The value of a
 * secret (a password, a token) is never shown, nor the password in a database URL.
 *
 * <p>{@link MamoriProperties}' records throw it while the settings are bound, and {@link #of(BindException)} words
 * the value Spring could not convert; the command line prints it as one line with exit code 2, and {@code start}
 * reports it as the reason it does not start ({@link StartupFailures}).
 */
final class InvalidSetting extends InvalidInput {

    private static final long serialVersionUID = 1L;
    private static final Pattern SECRET = Pattern.compile(".*(password|secret|token|blocklist-key).*");

    private final String key;

    /**
     * @param value    the value as given (shown unless the key names a secret)
     * @param reasonJa what is wrong with it, in Japanese
     * @param reasonEn the same in English
     */
    InvalidSetting(String key, Object value, String reasonJa, String reasonEn) {
        super(key + "=" + shown(key, value) + ": " + reasonEn, key + "=" + shown(key, value) + ": " + reasonJa);
        this.key = key;
    }

    /** The setting's key, e.g. {@code mamori.smtp.inbound.port}. */
    String key() {
        return key;
    }

    /**
     * {@code 'value'}, {@code '****'} for a secret, a database URL without its password, and a duration or a size as a
     * setting writes it ({@code 10s}, {@code 2MB}; a record validating one has only the converted value).
     */
    static String shown(String key, Object value) {
        if (SECRET.matcher(key).matches()) {
            return "'****'";
        }
        String text = value instanceof Duration d ? written(d) : value instanceof DataSize size ? written(size)
                : String.valueOf(value);
        return "'" + (key.equals("mamori.db.url") ? io.mamori.gateway.store.Databases.withoutSecrets(text) : text) + "'";
    }

    private static String written(Duration duration) {
        long millis = duration.toMillis();
        String[] units = {"d", "h", "m", "s"};
        long[] scales = {86_400_000, 3_600_000, 60_000, 1000};
        for (int i = 0; i < units.length; i++) {
            if (millis != 0 && millis % scales[i] == 0) {
                return millis / scales[i] + units[i];
            }
        }
        return millis + "ms";
    }

    private static String written(DataSize size) {
        long bytes = size.toBytes();
        for (String unit : new String[] {"TB", "GB", "MB", "KB"}) {
            long scale = DataSize.parse("1" + unit).toBytes();
            if (bytes != 0 && bytes % scale == 0) {
                return bytes / scale + unit;
            }
        }
        return bytes + "B";
    }

    /**
     * What Spring could not bind, worded: the reason a record of {@link MamoriProperties} gave, or what the value should
     * have looked like when it could not be converted (a number, a duration, a size, true or false).
     */
    static InvalidSetting of(BindException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidSetting own) {
                return own;
            }
        }
        ConfigurationProperty property = e.getProperty();
        String key = property != null ? property.getName().toString() : e.getName().toString();
        Object value = property != null ? property.getValue() : "";
        Class<?> type = e.getTarget().getType().resolve(Object.class);
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return new InvalidSetting(key, value, "整数にしてください", "must be a whole number");
        }
        if (type == Duration.class) {
            return new InvalidSetting(key, value, "時間の長さにしてください（例: 500ms、30s、15m、2h、5d）",
                    "must be a duration such as 500ms, 30s, 15m, 2h or 5d");
        }
        if (type == DataSize.class) {
            return new InvalidSetting(key, value, "大きさにしてください（例: 512KB、25MB）", "must be a size such as 512KB or 25MB");
        }
        if (type == boolean.class || type == Boolean.class) {
            return new InvalidSetting(key, value, "true か false にしてください", "must be true or false");
        }
        return new InvalidSetting(key, value, type.getSimpleName() + " として読めません", "cannot be read as " + type.getSimpleName());
    }
}
