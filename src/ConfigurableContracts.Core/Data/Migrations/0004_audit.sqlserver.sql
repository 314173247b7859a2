-- Append-only audit log. Each entry's hash covers its fields and the previous entry's hash, so any edit or deletion
-- breaks the chain at that entry. The unique sequence number makes concurrent appenders retry instead of forking.
CREATE TABLE audit_log (
    sequence               bigint NOT NULL PRIMARY KEY,
    occurred_at            datetimeoffset NOT NULL,
    subject                nvarchar(200) NOT NULL,
    organisation_id        nvarchar(64) NULL,
    role                   nvarchar(20) NULL,
    action                 nvarchar(100) NOT NULL,
    endpoint               nvarchar(400) NULL,
    contract_id            nvarchar(64) NULL,
    participant_pseudonym  nvarchar(64) NULL,
    purpose                nvarchar(400) NULL,
    outcome                nvarchar(50) NOT NULL,
    detail                 nvarchar(2000) NULL,
    previous_hash          nvarchar(64) NOT NULL,
    hash                   nvarchar(64) NOT NULL
);
CREATE INDEX ix_audit_log_participant ON audit_log (participant_pseudonym, occurred_at);
CREATE INDEX ix_audit_log_organisation ON audit_log (organisation_id, occurred_at);
GO
-- The log is append-only in the database too, not only in our code.
CREATE TRIGGER audit_log_no_change ON audit_log INSTEAD OF UPDATE, DELETE
AS
BEGIN
    THROW 51000, 'audit_log is append-only', 1;
END;
