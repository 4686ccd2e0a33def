-- The claim query orders by (next_attempt_at, id): with the id in the index the planner reads due rows in
-- order and stops at the limit instead of sorting every due row on each claim.
DROP INDEX messages_due;
CREATE INDEX messages_due ON messages (next_attempt_at, id) WHERE state = 'QUEUED';
