-- Audit of API access: what the request entries need beyond 0004's columns. Rows written before this migration
-- keep hash_version 1 and stay verifiable with the hash they were sealed with; new rows are version 2, whose hash
-- also covers the columns below and the pseudonyms in audit_log_participants.
ALTER TABLE audit_log ADD COLUMN hash_version integer NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN authentication text NULL;   -- api-key, jwt; null for anonymous and the system
ALTER TABLE audit_log ADD COLUMN status_code integer NULL;   -- the HTTP status answered
ALTER TABLE audit_log ADD COLUMN resource text NULL;         -- other ids the request named, e.g. decisionId=…
ALTER TABLE audit_log ADD COLUMN request_id text NULL;       -- the trace id, to find the request in the server's logs

-- The participants one entry concerns when there are many (a bulk upload): one row each, so a search by pseudonym
-- is an index seek, and one entry per request instead of one per line.
CREATE TABLE audit_log_participants (
    sequence   bigint NOT NULL REFERENCES audit_log (sequence),
    pseudonym  text NOT NULL,
    PRIMARY KEY (sequence, pseudonym)
);
CREATE INDEX ix_audit_log_participants_pseudonym ON audit_log_participants (pseudonym, sequence);

CREATE TRIGGER audit_log_participants_no_change BEFORE UPDATE OR DELETE ON audit_log_participants
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
