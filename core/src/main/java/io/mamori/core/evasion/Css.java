package io.mamori.core.evasion;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The little of CSS that telling hidden text needs: declaration lists and lengths. Hand-written because no CSS parser
 * is among the project's dependencies and only property values are read, never layout; anything not understood
 * reads as "unknown" ({@code null}), which never counts as hidden. Stateless.
 */
final class Css {

    /** Longest declaration list read from one {@code style} attribute or rule. */
    static final int MAX_DECLARATIONS_CHARS = 8_000;

    private static final Pattern LENGTH = Pattern.compile("^([+-]?(?:\\d+\\.?\\d*|\\.\\d+))\\s*([a-z%]*)$");
    private static final Pattern SIZE_TOKEN = Pattern.compile("(?:^|\\s)([+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:px|pt|em|rem|%)?)(?:/|\\s|$)");

    private Css() {
    }

    /** {@code a: b; c: d} as a map of lower-case property to lower-case value without {@code !important}. */
    static Map<String, String> declarations(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        String s = text.length() > MAX_DECLARATIONS_CHARS ? text.substring(0, MAX_DECLARATIONS_CHARS) : text;
        for (String decl : s.split(";")) {
            int colon = decl.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String property = decl.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = decl.substring(colon + 1).strip().toLowerCase(Locale.ROOT);
            int important = value.indexOf("!important");
            if (important >= 0) {
                value = value.substring(0, important).strip();
            }
            if (!property.isEmpty() && !value.isEmpty()) {
                out.put(property, value);
            }
        }
        return out;
    }

    /** A length in CSS pixels ({@code px}, {@code pt}, {@code em}/{@code rem} at 16 px, absolute units); null if unknown. */
    static Double lengthPx(String value) {
        if (value == null) {
            return null;
        }
        Matcher m = LENGTH.matcher(value.strip());
        if (!m.matches()) {
            return null;
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "", "px" -> v;
            case "pt" -> v * 4 / 3;
            case "pc" -> v * 16;
            case "em", "rem", "ex", "ch" -> v * 16;
            case "in" -> v * 96;
            case "cm" -> v * 96 / 2.54;
            case "mm" -> v * 96 / 25.4;
            case "vw", "vh", "%" -> v == 0 ? 0.0 : null;
            default -> null;
        };
    }

    /** A font size in pixels; a percentage is taken of a 16 px parent; keywords are unknown. */
    static Double fontSizePx(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        if (v.endsWith("%")) {
            Double n = number(v.substring(0, v.length() - 1));
            return n == null ? null : n * 0.16;
        }
        return lengthPx(v);
    }

    /** The first size in a {@code font} shorthand ({@code bold 0/0 arial} gives {@code 0}), or null. */
    static String firstSizeIn(String font) {
        if (font == null) {
            return null;
        }
        Matcher m = SIZE_TOKEN.matcher(font);
        return m.find() ? m.group(1) : null;
    }

    static Double number(String value) {
        if (value == null) {
            return null;
        }
        try {
            double v = Double.parseDouble(value.strip());
            return Double.isFinite(v) ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static boolean hasImage(String value) {
        return value != null && (value.contains("url(") || value.contains("gradient("));
    }
}
