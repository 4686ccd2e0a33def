-- Messages and their recipients: the durable queue between receiving and delivering (PostgreSQL).
-- Content lives encrypted in a blob file named blob_name; wrapped_key is its data key encrypted under the
-- master key wrap_key_id (envelope encryption). A DELETED message keeps its row but loses blob and key.

CREATE TABLE messages (
    id              VARCHAR(32)  NOT NULL PRIMARY KEY,
    direction       VARCHAR(16)  NOT NULL,
    mail_from       TEXT         NOT NULL,
    client_address  VARCHAR(64)  NOT NULL,
    helo            TEXT         NOT NULL,
    auth_user       TEXT,
    tls             BOOLEAN      NOT NULL,
    subject         TEXT         NOT NULL,
    state           VARCHAR(16)  NOT NULL,
    action          VARCHAR(16)  NOT NULL,
    score           DOUBLE PRECISION NOT NULL,
    finding_codes   TEXT         NOT NULL,
    size            BIGINT       NOT NULL,
    header_prefix   TEXT         NOT NULL,
    wrapped_key     BYTEA,
    wrap_key_id     INTEGER,
    blob_name       VARCHAR(64)  NOT NULL,
    received_at     TIMESTAMPTZ  NOT NULL,
    attempts        INTEGER      NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    lease_until     TIMESTAMPTZ,
    last_error      TEXT,
    version         INTEGER      NOT NULL DEFAULT 0,
    updated_at      TIMESTAMPTZ  NOT NULL,
    CONSTRAINT messages_state_known CHECK (state IN
        ('RECEIVED', 'QUEUED', 'HELD', 'QUARANTINED', 'DELIVERED', 'BOUNCED', 'DELETED')),
    CONSTRAINT messages_direction_known CHECK (direction IN ('INBOUND', 'OUTBOUND')),
    CONSTRAINT messages_key_complete CHECK ((wrapped_key IS NULL) = (wrap_key_id IS NULL))
);

-- Queue claim (FOR UPDATE SKIP LOCKED): only QUEUED rows, by due time.
CREATE INDEX messages_due ON messages (next_attempt_at) WHERE state = 'QUEUED';
-- Console lists, newest first, all states or one.
CREATE INDEX messages_received ON messages (received_at);
CREATE INDEX messages_state_received ON messages (state, received_at);
-- Re-wrap after a key rotation finds rows still on an old master key.
CREATE INDEX messages_wrap_key ON messages (wrap_key_id) WHERE wrapped_key IS NOT NULL;

CREATE TABLE recipients (
    message_id VARCHAR(32) NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    ordinal    INTEGER     NOT NULL,
    address    TEXT        NOT NULL,
    status     VARCHAR(16) NOT NULL,
    last_reply TEXT,
    PRIMARY KEY (message_id, ordinal),
    CONSTRAINT recipients_status_known CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED'))
);
