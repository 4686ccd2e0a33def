package io.mamori.core.mime;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.message.MimeDefect;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reports the structural defects the parser survived: {@code MIME_MALFORMED}, {@code MIME_TOO_DEEP},
 * {@code MIME_TOO_MANY_PARTS}, {@code MIME_HEADER_LIMIT}, {@code MIME_LONG_LINE}. One finding per kind, so a
 * message with a hundred bad base64 bytes does not outscore one with a single broken boundary; the evidence
 * is the first defect's detail, with the count of the others. Stateless and thread-safe.
 */
public final class MimeSanityAnalyzer implements Analyzer {

    private static final Map<MimeDefect.Kind, String> CODES = new EnumMap<>(Map.of(
            MimeDefect.Kind.MALFORMED, "MIME_MALFORMED",
            MimeDefect.Kind.TOO_DEEP, "MIME_TOO_DEEP",
            MimeDefect.Kind.TOO_MANY_PARTS, "MIME_TOO_MANY_PARTS",
            MimeDefect.Kind.HEADER_LIMIT, "MIME_HEADER_LIMIT",
            MimeDefect.Kind.LONG_LINE, "MIME_LONG_LINE"));

    @Override
    public String name() {
        return "mime-sanity";
    }

    @Override
    public Set<String> codes() {
        return Set.copyOf(CODES.values());
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) {
        Map<MimeDefect.Kind, List<MimeDefect>> byKind = new EnumMap<>(MimeDefect.Kind.class);
        for (MimeDefect d : input.message().defects()) {
            byKind.computeIfAbsent(d.kind(), k -> new ArrayList<>()).add(d);
        }
        List<Finding> findings = new ArrayList<>();
        byKind.forEach((kind, defects) -> {
            String evidence = defects.get(0).detail()
                    + (defects.size() > 1 ? " (+" + (defects.size() - 1) + " more)" : "");
            findings.add(Finding.of(CODES.get(kind), evidence));
        });
        return findings;
    }
}
