package io.mamori.console.text;

import io.mamori.core.text.InvalidInput;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.context.MessageSource;
import org.springframework.context.support.ReloadableResourceBundleMessageSource;

/**
 * The console's texts: {@code messages_ja.properties} and {@code messages_en.properties} (UTF-8; Japanese when a key is
 * missing). The pages read them through the {@link MessageSource} bean that {@link #newSource()} makes; what the
 * console's code refuses outside a page (a directory CSV file, an account that exists, a notice that cannot be sent)
 * takes its wording from the same files in both languages, so that the command line and the REST API, which know no
 * reader's language, say what a page says, Japanese first. Thread-safe.
 */
public final class ConsoleMessages {

    private ConsoleMessages() {
    }

    /** Made on first use: the offline commands that never need a text never load the files. */
    private static final class Shared {
        static final MessageSource SOURCE = newSource();
    }

    /** A message source over the console's texts, as the pages' bean. */
    public static MessageSource newSource() {
        ReloadableResourceBundleMessageSource messages = new ReloadableResourceBundleMessageSource();
        messages.setBasename("classpath:messages");
        messages.setDefaultEncoding(StandardCharsets.UTF_8.name());
        messages.setFallbackToSystemLocale(false);
        messages.setDefaultLocale(Locale.JAPANESE);
        return messages;
    }

    /**
     * The text of {@code key} in {@code locale}, with {@code arguments} filled in as a page fills them.
     *
     * @throws org.springframework.context.NoSuchMessageException if no file has the key
     */
    public static String text(Locale locale, String key, Object... arguments) {
        return Shared.SOURCE.getMessage(key, arguments.length == 0 ? null : arguments, locale);
    }

    /** Input refused with the reason {@code key} names, in English and Japanese. */
    public static InvalidInput invalid(String key, Object... arguments) {
        return new InvalidInput(text(Locale.ENGLISH, key, arguments), text(Locale.JAPANESE, key, arguments));
    }
}
