-- Outcome reports read a few rows kept up to date as the data they summarise is written, instead of counting every
-- decision and parsing every participant record per request (issue #17; docs/benchmarks-reports.md).

-- Current participant decisions counted per provider, outcome and status. The nightly run adds and subtracts, in the
-- transaction that writes the decisions, exactly the rows it inserted and superseded, so a retry or a crash mid-run
-- leaves the counts equal to the decisions. A provider's report reads its own rows, a commissioner's sums them all.
-- The key is nonclustered: with outcome nvarchar(400) it is wider than a clustered key may be.
CREATE TABLE report_outcome_counts (
    contract_id  nvarchar(64) NOT NULL REFERENCES contracts (id),
    provider_id  nvarchar(64) NOT NULL,
    workflow     nvarchar(200) NOT NULL,
    outcome      nvarchar(400) NOT NULL,
    status       nvarchar(20) NOT NULL CHECK (status IN ('Achieved', 'NotAchieved', 'NotEvaluable', 'Error')),
    decisions    int NOT NULL,                -- a row falls to 0 rather than being deleted; reports skip those
    CONSTRAINT pk_report_outcome_counts PRIMARY KEY NONCLUSTERED (contract_id, provider_id, workflow, outcome, status)
);
INSERT INTO report_outcome_counts (contract_id, provider_id, workflow, outcome, status, decisions)
SELECT contract_id, provider_id, workflow, outcome, status, COUNT(*)
FROM decisions
WHERE superseded_by IS NULL AND participant_id IS NOT NULL AND provider_id IS NOT NULL
GROUP BY contract_id, provider_id, workflow, outcome, status;

-- Every planned measurement of a participant that is still open: not measured, and the participant did not leave
-- before it was due. It counts as overdue once window_end is before the report's date, so ?asOf= stays a range
-- bound. Computed in C# with the template's plan (month arithmetic clamps as .NET does) and exit-date field.
-- No foreign key to participants: the retention sweep deletes participants, and a retained contract's report is
-- read from retained_reports, never from here.
CREATE TABLE report_open_follow_ups (
    contract_id     nvarchar(64) NOT NULL REFERENCES contracts (id),
    participant_id  nvarchar(64) NOT NULL,
    point           nvarchar(64) NOT NULL,
    provider_id     nvarchar(64) NOT NULL,
    window_end      date NOT NULL,
    PRIMARY KEY (contract_id, participant_id, point)
);

-- The same rows counted per provider, point and closing day: what a report reads. Overdue on a date is the sum of
-- the rows before it, a few hundred rows however many participants the contract has.
CREATE TABLE report_follow_up_counts (
    contract_id  nvarchar(64) NOT NULL REFERENCES contracts (id),
    provider_id  nvarchar(64) NOT NULL,
    point        nvarchar(64) NOT NULL,
    window_end   date NOT NULL,
    participants int NOT NULL,                -- falls to 0 rather than being deleted; reports skip those
    PRIMARY KEY (contract_id, window_end, provider_id, point)
);

-- Which template bundle the open follow-ups of a contract were computed with; a missing row, or another bundle,
-- makes the next report recompute them all (contracts evaluated before this migration are rebuilt on first read).
CREATE TABLE report_follow_up_state (
    contract_id  nvarchar(64) NOT NULL PRIMARY KEY REFERENCES contracts (id),
    bundle_hash  nvarchar(64) NOT NULL
);

-- Participants whose open follow-ups may have changed: written by the triggers below in the same transaction as the
-- enrolment, record correction or measurement, whichever code path makes it, and consumed by the next report.
CREATE TABLE report_follow_up_changes (
    id              bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    contract_id     nvarchar(64) NOT NULL,
    participant_id  nvarchar(64) NOT NULL
);
CREATE INDEX ix_report_follow_up_changes ON report_follow_up_changes (contract_id, id);

-- Decision lists page by sequence within one contract.
CREATE INDEX ix_decisions_contract_sequence ON decisions (contract_id, sequence);
-- Payment statements page a period's ledger entries by sequence.
CREATE INDEX ix_ledger_period_sequence ON ledger_entries (contract_id, period, sequence);
GO
CREATE TRIGGER tr_participants_changed_report ON participants AFTER INSERT, UPDATE
AS
BEGIN
    SET NOCOUNT ON;
    INSERT INTO report_follow_up_changes (contract_id, participant_id) SELECT contract_id, id FROM inserted;
END;
GO
CREATE TRIGGER tr_measurements_inserted_report ON measurements AFTER INSERT
AS
BEGIN
    SET NOCOUNT ON;
    INSERT INTO report_follow_up_changes (contract_id, participant_id) SELECT contract_id, participant_id FROM inserted;
END;
