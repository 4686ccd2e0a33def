package io.mamori.core.evasion;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CSS and HTML colour values, as far as telling text the colour of its background needs: hex forms (with or without
 * {@code #}, as the legacy {@code bgcolor} attribute allows), {@code rgb()}/{@code rgba()}, {@code transparent} and the
 * common named colours. Anything else is unknown ({@code null}). Stateless.
 */
final class Colours {

    /** A colour; {@code alpha} 0 (transparent) to 1. */
    record Rgba(int r, int g, int b, double alpha) {

        boolean transparent() {
            return alpha <= 0.05;
        }

        /** Practically the same colour: a reader cannot tell text in one on the other apart. */
        boolean closeTo(Rgba other) {
            return Math.abs(r - other.r) + Math.abs(g - other.g) + Math.abs(b - other.b) <= 12;
        }
    }

    private static final Pattern HEX = Pattern.compile("#?([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})");
    private static final Pattern FUNCTION = Pattern.compile("rgba?\\(([^)]*)\\)");
    private static final Pattern TOKEN = Pattern.compile("#[0-9a-f]{3,8}\\b|rgba?\\([^)]*\\)|\\b[a-z]+\\b");
    private static final Map<String, Rgba> NAMED = Map.ofEntries(
            Map.entry("white", rgb(255, 255, 255)), Map.entry("black", rgb(0, 0, 0)),
            Map.entry("silver", rgb(192, 192, 192)), Map.entry("gray", rgb(128, 128, 128)),
            Map.entry("grey", rgb(128, 128, 128)), Map.entry("red", rgb(255, 0, 0)),
            Map.entry("maroon", rgb(128, 0, 0)), Map.entry("yellow", rgb(255, 255, 0)),
            Map.entry("olive", rgb(128, 128, 0)), Map.entry("lime", rgb(0, 255, 0)),
            Map.entry("green", rgb(0, 128, 0)), Map.entry("aqua", rgb(0, 255, 255)),
            Map.entry("cyan", rgb(0, 255, 255)), Map.entry("teal", rgb(0, 128, 128)),
            Map.entry("blue", rgb(0, 0, 255)), Map.entry("navy", rgb(0, 0, 128)),
            Map.entry("fuchsia", rgb(255, 0, 255)), Map.entry("magenta", rgb(255, 0, 255)),
            Map.entry("purple", rgb(128, 0, 128)), Map.entry("orange", rgb(255, 165, 0)),
            Map.entry("whitesmoke", rgb(245, 245, 245)), Map.entry("snow", rgb(255, 250, 250)),
            Map.entry("ivory", rgb(255, 255, 240)), Map.entry("transparent", new Rgba(0, 0, 0, 0)));

    /** The background of a page that declares none. */
    static final Rgba PAGE = new Rgba(255, 255, 255, 1.0);

    private Colours() {
    }

    private static Rgba rgb(int r, int g, int b) {
        return new Rgba(r, g, b, 1.0);
    }

    /** Keywords that take the colour from elsewhere: the inherited colour stays. */
    static boolean inherits(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        return v.equals("inherit") || v.equals("currentcolor") || v.equals("unset") || v.equals("initial")
                || v.equals("revert") || v.isEmpty();
    }

    /** The colour a value names, or null if unknown. */
    static Rgba parse(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        Rgba named = NAMED.get(v);
        if (named != null) {
            return named;
        }
        Matcher hex = HEX.matcher(v);
        if (hex.matches()) {
            String h = hex.group(1);
            if (h.length() <= 4) {
                StringBuilder doubled = new StringBuilder();
                for (char c : h.toCharArray()) {
                    doubled.append(c).append(c);
                }
                h = doubled.toString();
            }
            int r = Integer.parseInt(h.substring(0, 2), 16);
            int g = Integer.parseInt(h.substring(2, 4), 16);
            int b = Integer.parseInt(h.substring(4, 6), 16);
            double a = h.length() == 8 ? Integer.parseInt(h.substring(6, 8), 16) / 255.0 : 1.0;
            return new Rgba(r, g, b, a);
        }
        Matcher f = FUNCTION.matcher(v);
        if (f.matches()) {
            String[] parts = f.group(1).replace('/', ',').split("[,\\s]+");
            if (parts.length < 3) {
                return null;
            }
            Integer r = channel(parts[0]);
            Integer g = channel(parts[1]);
            Integer b = channel(parts[2]);
            Double a = parts.length > 3 ? alpha(parts[3]) : Double.valueOf(1.0);
            return r == null || g == null || b == null || a == null ? null : new Rgba(r, g, b, a);
        }
        return null;
    }

    /** The first colour in a {@code background} shorthand, as written, or null. */
    static String firstColourIn(String background) {
        if (background == null) {
            return null;
        }
        Matcher m = TOKEN.matcher(background.toLowerCase(Locale.ROOT));
        while (m.find()) {
            if (parse(m.group()) != null) {
                return m.group();
            }
        }
        return null;
    }

    private static Integer channel(String s) {
        Double v = s.endsWith("%") ? Css.number(s.substring(0, s.length() - 1)) : Css.number(s);
        if (v == null) {
            return null;
        }
        double x = s.endsWith("%") ? v * 2.55 : v;
        return (int) Math.round(Math.max(0, Math.min(255, x)));
    }

    private static Double alpha(String s) {
        Double v = s.endsWith("%") ? Css.number(s.substring(0, s.length() - 1)) : Css.number(s);
        if (v == null) {
            return null;
        }
        return Math.max(0, Math.min(1, s.endsWith("%") ? v / 100 : v));
    }
}
