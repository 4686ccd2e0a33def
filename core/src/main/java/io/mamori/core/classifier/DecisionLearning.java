package io.mamori.core.classifier;

import io.mamori.core.store.StoredMessage;

/**
 * What the analysts' decisions on held and quarantined inbound mail teach the content classifier: a release says the
 * message was legitimate, a deletion that it was not.
 */
public interface DecisionLearning {

    /** Learns nothing. */
    DecisionLearning NONE = (message, legitimate) -> () -> { };

    /**
     * Called before a decision on a held or quarantined message takes effect (a deletion erases the content): reads
     * what there is to learn, and returns what to run once the decision has taken effect (nothing is learnt from a
     * decision that was refused). Never throws: a message that cannot be read teaches nothing.
     *
     * @param legitimate {@code true} for a release, {@code false} for a deletion
     */
    Runnable prepare(StoredMessage message, boolean legitimate);
}
