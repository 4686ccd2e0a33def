package io.mamori.gateway.crypto;

/**
 * A {@link ContentKey} encrypted under one master key, as stored in the message row.
 *
 * @param ciphertext  the encrypted keyset (Tink binary keyset format, master AEAD ciphertext)
 * @param masterKeyId id of the master key that encrypted it, so a re-wrap can skip rows already on the
 *                    primary key
 */
public record WrappedKey(byte[] ciphertext, int masterKeyId) {

    public WrappedKey {
        ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WrappedKey w && w.masterKeyId == masterKeyId
                && java.util.Arrays.equals(w.ciphertext, ciphertext);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(ciphertext) + masterKeyId;
    }

    @Override
    public String toString() {
        return "WrappedKey[masterKeyId=" + Integer.toUnsignedString(masterKeyId) + ", " + ciphertext.length + " bytes]";
    }
}
