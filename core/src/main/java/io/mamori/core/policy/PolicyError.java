package io.mamori.core.policy;

/**
 * One problem in a policy file.
 *
 * @param file    file name as given to the loader
 * @param line    1-based line
 * @param column  1-based column (in characters, not bytes)
 * @param key     dotted path of the offending key, e.g. {@code inbound.thresholds.hold} or
 *                {@code organisation.internal_domains[1]}; empty for YAML syntax errors
 * @param message short English description
 */
public record PolicyError(String file, int line, int column, String key, String message) {

    /** {@code policy.yaml:12:5: inbound.thresholds.hold: must be ≥ tag (4)} */
    public String render() {
        return file + ":" + line + ":" + column + ": " + (key.isEmpty() ? "" : key + ": ") + message;
    }
}
