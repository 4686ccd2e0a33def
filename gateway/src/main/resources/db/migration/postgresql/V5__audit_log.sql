-- Tamper-evident audit log of human actions (console, REST API, CLI). Append-only: rows are never updated or
-- deleted by the gateway. Each row's hash is SHA-256 over a canonical encoding of its fields and the previous
-- row's hash (see io.mamori.console.audit.AuditChain), so an edited, deleted or reordered row breaks the chain
-- that `mamori audit verify` walks. seq is gapless: it is assigned from audit_head under that row's lock, which
-- also serialises appends from several gateway nodes sharing this database.
CREATE TABLE audit_log (
    seq       BIGINT       NOT NULL PRIMARY KEY,
    at        TIMESTAMPTZ  NOT NULL,
    actor     VARCHAR(400) NOT NULL,
    source_ip VARCHAR(100) NOT NULL,
    action    VARCHAR(100) NOT NULL,
    object    VARCHAR(1000) NOT NULL,
    before_state TEXT,
    after_state  TEXT,
    success   BOOLEAN      NOT NULL,
    prev_hash CHAR(64)     NOT NULL,
    hash      CHAR(64)     NOT NULL
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_object ON audit_log (object, seq);
CREATE INDEX audit_log_hash ON audit_log (hash);

-- The end of the chain, one row. Appends lock it (SELECT … FOR UPDATE), so the chain never forks however many
-- writers there are; verification also compares it with the last row, which finds rows deleted at the end.
CREATE TABLE audit_head (
    id        SMALLINT NOT NULL PRIMARY KEY,
    last_seq  BIGINT   NOT NULL,
    last_hash CHAR(64) NOT NULL,
    CONSTRAINT audit_head_single CHECK (id = 1)
);

INSERT INTO audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Defence in depth: the log refuses UPDATE, DELETE and TRUNCATE. A table owner can still disable the trigger,
-- which the hash chain then reveals; production should also grant the gateway's role only INSERT and SELECT on
-- audit_log (see README).
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END;
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
