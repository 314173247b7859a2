-- Audit of API access: what the request entries need beyond 0004's columns. Rows written before this migration
-- keep hash_version 1 and stay verifiable with the hash they were sealed with; new rows are version 2, whose hash
-- also covers the columns below and the pseudonyms in audit_log_participants.
ALTER TABLE audit_log ADD
    hash_version    int NOT NULL CONSTRAINT df_audit_log_hash_version DEFAULT 1,
    authentication  nvarchar(20) NULL,     -- api-key, jwt; null for anonymous and the system
    status_code     int NULL,              -- the HTTP status answered
    resource        nvarchar(400) NULL,    -- other ids the request named, e.g. decisionId=…
    request_id      nvarchar(100) NULL;    -- the trace id, to find the request in the server's logs
GO
-- The participants one entry concerns when there are many (a bulk upload): one row each, so a search by pseudonym
-- is an index seek, and one entry per request instead of one per line.
CREATE TABLE audit_log_participants (
    sequence   bigint NOT NULL REFERENCES audit_log (sequence),
    pseudonym  nvarchar(64) NOT NULL,
    CONSTRAINT pk_audit_log_participants PRIMARY KEY (sequence, pseudonym)
);
CREATE INDEX ix_audit_log_participants_pseudonym ON audit_log_participants (pseudonym, sequence);
GO
CREATE TRIGGER audit_log_participants_no_change ON audit_log_participants INSTEAD OF UPDATE, DELETE
AS
BEGIN
    THROW 51000, 'audit_log_participants is append-only', 1;
END;
