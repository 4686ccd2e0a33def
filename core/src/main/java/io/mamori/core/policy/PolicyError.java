package io.mamori.core.policy;

import java.util.Objects;

/**
 * One problem in a policy file, described in English and in Japanese (operators read it in the console in their
 * language and on the command line in both).
 *
 * @param file      file name as given to the loader
 * @param line      1-based line
 * @param column    1-based column (in characters, not bytes)
 * @param key       dotted path of the offending key, e.g. {@code inbound.thresholds.hold} or
 *                  {@code organisation.internal_domains[1]}; empty for YAML syntax errors
 * @param message   short English description
 * @param messageJa the same description in Japanese
 */
public record PolicyError(String file, int line, int column, String key, String message, String messageJa) {

    public PolicyError {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(messageJa, "messageJa");
    }

    /**
     * An error whose text exists only in English (e.g. one passed on from a library); the Japanese text is the
     * English one. Errors of our own always pass both texts.
     */
    public PolicyError(String file, int line, int column, String key, String message) {
        this(file, line, column, key, message, message);
    }

    /** The description in the given language: {@code "ja"} gives Japanese, anything else English. */
    public String message(String lang) {
        return "ja".equals(lang) ? messageJa : message;
    }

    /** {@code policy.yaml:12:5: inbound.thresholds.hold: must be ≥ tag (4)} */
    public String render() {
        return prefix() + message;
    }

    /** {@code policy.yaml:12:5: inbound.thresholds.hold: tag (4) 以上にしてください} */
    public String renderJa() {
        return prefix() + messageJa;
    }

    /** Japanese first, then English: {@code policy.yaml:12:5: key: 日本語 / English}. */
    public String renderBilingual() {
        return messageJa.equals(message) ? render() : prefix() + messageJa + " / " + message;
    }

    private String prefix() {
        return file + ":" + line + ":" + column + ": " + (key.isEmpty() ? "" : key + ": ");
    }

    /**
     * Two errors are the same when they point at the same place with the same English text; the Japanese text is
     * a translation of it and does not make an error different.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyError e && line == e.line && column == e.column && file.equals(e.file)
                && key.equals(e.key) && message.equals(e.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(file, line, column, key, message);
    }
}
