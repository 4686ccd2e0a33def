package io.mamori.core.analysis;

import io.mamori.core.attachment.AttachmentNameAnalyzer;
import io.mamori.core.mime.MimeSanityAnalyzer;
import java.util.List;

/** The analyzers shipped with the product, in the order their findings are reported. */
public final class Analyzers {

    private Analyzers() {
    }

    /** New instances of every shipped analyzer; all are stateless and thread-safe. */
    public static List<Analyzer> defaults() {
        return List.of(new MimeSanityAnalyzer(), new AttachmentNameAnalyzer());
    }
}
