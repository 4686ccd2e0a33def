-- Small messages keep their encrypted content in the database, written in the same transaction as their row
-- (one fsync per group-commit batch covers both); large ones keep a content file named by blob_name, which is
-- therefore NULL for a message whose content is here. The content is Streaming-AEAD ciphertext under the
-- message's own key (messages.wrapped_key), exactly as the file would hold. Insert-only; deleted with the
-- message's content (state DELETED).
ALTER TABLE messages ALTER COLUMN blob_name DROP NOT NULL;
CREATE TABLE message_content (
    message_id VARCHAR(64) NOT NULL PRIMARY KEY,
    content    BYTEA       NOT NULL
);
-- Ciphertext does not compress: store it out of line without trying.
ALTER TABLE message_content ALTER COLUMN content SET STORAGE EXTERNAL;
