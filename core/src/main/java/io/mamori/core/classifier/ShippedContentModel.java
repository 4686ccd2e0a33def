package io.mamori.core.classifier;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A seed for an organisation's own content model, shipped with the product ({@code content-model.tsv} beside this
 * class): the phishing, fraud and spam of the project's openly licensed corpora (and their few legitimate messages),
 * learnt from the A halves of those sets (content-model-NOTICE.md names the sets, their licences and the command).
 * An organisation usually has plenty of its own legitimate mail and little confirmed phishing: {@code mamori learn
 * --from shipped --ham DIR} adds its mail to this seed. Never used as it is: its legitimate side is too thin to judge
 * anyone's mail (see {@link ContentClassifierAnalyzer}).
 */
public final class ShippedContentModel {

    static final String RESOURCE = "content-model.tsv";

    private ShippedContentModel() {
    }

    private static final class Holder {
        static final ContentModel MODEL = load();
    }

    /** The shipped model, read once. */
    public static ContentModel get() {
        return Holder.MODEL;
    }

    private static ContentModel load() {
        try (InputStream in = ShippedContentModel.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the shipped content model " + RESOURCE + " is missing from the build");
            }
            return ContentModel.read(in, RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
