-- Append-only audit log. Each entry's hash covers its fields and the previous entry's hash, so any edit or deletion
-- breaks the chain at that entry. The unique sequence number makes concurrent appenders retry instead of forking.
CREATE TABLE audit_log (
    sequence               INTEGER PRIMARY KEY,
    occurred_at            TEXT NOT NULL,
    subject                TEXT NOT NULL,
    organisation_id        TEXT NULL,
    role                   TEXT NULL,
    action                 TEXT NOT NULL,
    endpoint               TEXT NULL,
    contract_id            TEXT NULL,
    participant_pseudonym  TEXT NULL,
    purpose                TEXT NULL,
    outcome                TEXT NOT NULL,
    detail                 TEXT NULL,
    previous_hash          TEXT NOT NULL,
    hash                   TEXT NOT NULL
);
CREATE INDEX ix_audit_log_participant ON audit_log (participant_pseudonym, occurred_at);
CREATE INDEX ix_audit_log_organisation ON audit_log (organisation_id, occurred_at);

-- The log is append-only in the database too, not only in our code.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
