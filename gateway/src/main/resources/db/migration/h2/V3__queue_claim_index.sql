-- The claim query orders by (next_attempt_at, id): with the id in the index H2 reads due rows in order and
-- stops at the limit, instead of sorting every due row on each claim (quadratic under a backlog).
DROP INDEX messages_due;
CREATE INDEX messages_due ON messages (state, next_attempt_at, id);
