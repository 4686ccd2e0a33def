-- When a message last entered the delivery queue: its commit, or the operator's release (or the re-judgement after a
-- password) that queued it. Delivery's retry lifetime (5 days by default) counts from here, so mail an analyst
-- releases after days in quarantine is not returned at its first temporary failure. Rows before this version
-- count from their reception, as they did.
ALTER TABLE messages ADD COLUMN queued_at TIMESTAMP WITH TIME ZONE;
UPDATE messages SET queued_at = received_at;
ALTER TABLE messages ALTER COLUMN queued_at SET NOT NULL;
