-- Messages and their recipients: the durable queue between receiving and delivering (H2).
-- Content lives encrypted in a blob file named blob_name; wrapped_key is its data key encrypted under the
-- master key wrap_key_id (envelope encryption). A DELETED message keeps its row but loses blob and key.

CREATE TABLE messages (
    id              VARCHAR(32)              NOT NULL PRIMARY KEY,
    direction       VARCHAR(16)              NOT NULL,
    mail_from       CHARACTER VARYING        NOT NULL,
    client_address  VARCHAR(64)              NOT NULL,
    helo            CHARACTER VARYING        NOT NULL,
    auth_user       CHARACTER VARYING,
    tls             BOOLEAN                  NOT NULL,
    subject         CHARACTER VARYING        NOT NULL,
    state           VARCHAR(16)              NOT NULL,
    action          VARCHAR(16)              NOT NULL,
    score           DOUBLE PRECISION         NOT NULL,
    finding_codes   CHARACTER VARYING        NOT NULL,
    size            BIGINT                   NOT NULL,
    header_prefix   CHARACTER VARYING        NOT NULL,
    wrapped_key     VARBINARY(4096),
    wrap_key_id     INTEGER,
    blob_name       VARCHAR(64)              NOT NULL,
    received_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    attempts        INTEGER                  NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP WITH TIME ZONE,
    lease_until     TIMESTAMP WITH TIME ZONE,
    last_error      CHARACTER VARYING,
    version         INTEGER                  NOT NULL DEFAULT 0,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT messages_state_known CHECK (state IN
        ('RECEIVED', 'QUEUED', 'HELD', 'QUARANTINED', 'DELIVERED', 'BOUNCED', 'DELETED')),
    CONSTRAINT messages_direction_known CHECK (direction IN ('INBOUND', 'OUTBOUND')),
    CONSTRAINT messages_key_complete CHECK ((wrapped_key IS NULL) = (wrap_key_id IS NULL))
);

-- Queue claim: QUEUED rows by due time (H2 has no partial indexes).
CREATE INDEX messages_due ON messages (state, next_attempt_at);
-- Console lists, newest first, all states or one.
CREATE INDEX messages_received ON messages (received_at);
CREATE INDEX messages_state_received ON messages (state, received_at);
-- Re-wrap after a key rotation finds rows still on an old master key.
CREATE INDEX messages_wrap_key ON messages (wrap_key_id);

CREATE TABLE recipients (
    message_id VARCHAR(32)       NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    ordinal    INTEGER           NOT NULL,
    address    CHARACTER VARYING NOT NULL,
    status     VARCHAR(16)       NOT NULL,
    last_reply CHARACTER VARYING,
    PRIMARY KEY (message_id, ordinal),
    CONSTRAINT recipients_status_known CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED'))
);
