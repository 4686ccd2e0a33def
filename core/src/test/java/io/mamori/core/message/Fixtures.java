package io.mamori.core.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Loads fixture messages from {@code src/test/resources/messages/<feature>/<case>}. */
public final class Fixtures {

    private Fixtures() {
    }

    public static InputStream open(String path) {
        InputStream in = Fixtures.class.getResourceAsStream("/messages/" + path);
        if (in == null) {
            throw new IllegalArgumentException("no fixture messages/" + path);
        }
        return in;
    }

    public static byte[] bytes(String path) {
        try (InputStream in = open(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ParsedMessage parse(String path) {
        try (InputStream in = open(path)) {
            return new MessageParser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
