-- Retention: once a contract has been closed for Retention:PeriodYears, its participant data is removed (see
-- docs/decisions/0005-retention.md). What stays is marked here, so nothing reads removed data as if it were whole.

-- When the contract's participant data was removed; NULL while it is kept. A retained contract is never evaluated
-- again: with its participants gone, a new run would decide from nothing.
ALTER TABLE contracts ADD COLUMN retained_at TEXT NULL;

-- The contract's outcome report (counts per outcome and provider, overdue follow-ups, cohort standings) as it stood
-- just before removal: reports of a retained contract read it, since the rows they were counted from are gone.
CREATE TABLE retained_reports (
    contract_id  TEXT PRIMARY KEY REFERENCES contracts (id),
    report       TEXT NOT NULL,        -- JSON: the commissioner's full report; providers are shown their own rows
    stored_at    TEXT NOT NULL
);

-- Removals committed but not yet written to the audit log (the log is appended on its own connection, after the
-- removal commits). A row lives only until its audit entry is written; a crash in between is caught up next run.
CREATE TABLE retention_audit_queue (
    contract_id  TEXT NOT NULL REFERENCES contracts (id),
    pseudonym    TEXT NOT NULL,
    detail       TEXT NOT NULL,
    removed_at   TEXT NOT NULL,
    PRIMARY KEY (contract_id, pseudonym)
);

-- The retention job looks for closed contracts by close instant.
CREATE INDEX ix_contracts_closed ON contracts (status, closed_at);
