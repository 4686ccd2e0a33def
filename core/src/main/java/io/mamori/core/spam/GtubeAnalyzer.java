package io.mamori.core.spam;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Analyzer;
import io.mamori.core.analysis.Finding;
import io.mamori.core.evasion.HtmlText;
import io.mamori.core.message.MimePart;
import java.util.List;
import java.util.Set;

/**
 * GTUBE, the Generic Test for Unsolicited Bulk Email: a fixed string that spam filters (SpamAssassin, rspamd and the
 * commercial gateways) take for spam, so that an administrator can check that mail filtering works end to end, as the
 * EICAR file checks an antivirus engine. Reported as {@code GTUBE} when a body holds the string: a plain-text body, or
 * the visible text of an HTML body, as SpamAssassin's body rule finds it; not an attached file, and not the word
 * "GTUBE" alone. The shipped policy quarantines it inbound, where an analyst sees the test arrive. Stateless and
 * thread-safe.
 */
public final class GtubeAnalyzer implements Analyzer {

    public static final String CODE = "GTUBE";
    /** The string, as SpamAssassin publishes it (https://spamassassin.apache.org/gtube/). */
    static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    @Override
    public String name() {
        return "gtube";
    }

    @Override
    public Set<String> codes() {
        return Set.of(CODE);
    }

    @Override
    public List<Finding> analyze(AnalysisInput input) {
        for (MimePart part : input.message().parts()) {
            if (part.attachment() || part.text() == null) {
                continue;
            }
            String text = "text/html".equals(part.contentType()) ? HtmlText.visible(input, part.text())
                    : "text/plain".equals(part.contentType()) ? part.text() : null;
            if (text != null && text.contains(GTUBE)) {
                return List.of(Finding.of(CODE, "part " + part.path()));
            }
        }
        return List.of();
    }
}
