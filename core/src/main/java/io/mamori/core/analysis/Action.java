package io.mamori.core.analysis;

/**
 * What the gateway does with a message, ordered by severity so that "at least X" is {@code max}.
 */
public enum Action {
    DELIVER, TAG, HOLD, QUARANTINE, REJECT;

    public Action atLeast(Action other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
