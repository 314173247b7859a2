-- Append-only audit log. Each entry's hash covers its fields and the previous entry's hash, so any edit or deletion
-- breaks the chain at that entry. The unique sequence number makes concurrent appenders retry instead of forking.
CREATE TABLE audit_log (
    sequence               bigint PRIMARY KEY,
    occurred_at            timestamptz NOT NULL,
    subject                text NOT NULL,
    organisation_id        text NULL,
    role                   text NULL,
    action                 text NOT NULL,
    endpoint               text NULL,
    contract_id            text NULL,
    participant_pseudonym  text NULL,
    purpose                text NULL,
    outcome                text NOT NULL,
    detail                 text NULL,
    previous_hash          text NOT NULL,
    hash                   text NOT NULL
);
CREATE INDEX ix_audit_log_participant ON audit_log (participant_pseudonym, occurred_at);
CREATE INDEX ix_audit_log_organisation ON audit_log (organisation_id, occurred_at);

-- The log is append-only in the database too, not only in our code.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
