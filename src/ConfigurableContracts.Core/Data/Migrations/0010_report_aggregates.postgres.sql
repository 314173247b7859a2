-- Outcome reports read a few rows kept up to date as the data they summarise is written, instead of counting every
-- decision and parsing every participant record per request (issue #17; docs/benchmarks-reports.md).

-- Current participant decisions counted per provider, outcome and status. The nightly run adds and subtracts, in the
-- transaction that writes the decisions, exactly the rows it inserted and superseded, so a retry or a crash mid-run
-- leaves the counts equal to the decisions. A provider's report reads its own rows, a commissioner's sums them all.
CREATE TABLE report_outcome_counts (
    contract_id  text NOT NULL REFERENCES contracts (id),
    provider_id  text NOT NULL,
    workflow     text NOT NULL,
    outcome      text NOT NULL,
    status       text NOT NULL CHECK (status IN ('Achieved', 'NotAchieved', 'NotEvaluable', 'Error')),
    decisions    integer NOT NULL,                -- a row falls to 0 rather than being deleted; reports skip those
    PRIMARY KEY (contract_id, provider_id, workflow, outcome, status)
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
    contract_id     text NOT NULL REFERENCES contracts (id),
    participant_id  text NOT NULL,
    point           text NOT NULL,
    provider_id     text NOT NULL,
    window_end      date NOT NULL,
    PRIMARY KEY (contract_id, participant_id, point)
);

-- The same rows counted per provider, point and closing day: what a report reads. Overdue on a date is the sum of
-- the rows before it, a few hundred rows however many participants the contract has.
CREATE TABLE report_follow_up_counts (
    contract_id  text NOT NULL REFERENCES contracts (id),
    provider_id  text NOT NULL,
    point        text NOT NULL,
    window_end   date NOT NULL,
    participants integer NOT NULL,                -- falls to 0 rather than being deleted; reports skip those
    PRIMARY KEY (contract_id, window_end, provider_id, point)
);

-- Which template bundle the open follow-ups of a contract were computed with; a missing row, or another bundle,
-- makes the next report recompute them all (contracts evaluated before this migration are rebuilt on first read).
CREATE TABLE report_follow_up_state (
    contract_id  text PRIMARY KEY REFERENCES contracts (id),
    bundle_hash  text NOT NULL
);

-- Participants whose open follow-ups may have changed: written by the triggers below in the same transaction as the
-- enrolment, record correction or measurement, whichever code path makes it, and consumed by the next report.
CREATE TABLE report_follow_up_changes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contract_id     text NOT NULL,
    participant_id  text NOT NULL
);
CREATE INDEX ix_report_follow_up_changes ON report_follow_up_changes (contract_id, id);

CREATE FUNCTION report_participant_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_follow_up_changes (contract_id, participant_id) VALUES (NEW.contract_id, NEW.id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER tr_participants_changed_report AFTER INSERT OR UPDATE ON participants
    FOR EACH ROW EXECUTE FUNCTION report_participant_changed();

CREATE FUNCTION report_measurement_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_follow_up_changes (contract_id, participant_id) VALUES (NEW.contract_id, NEW.participant_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER tr_measurements_inserted_report AFTER INSERT ON measurements
    FOR EACH ROW EXECUTE FUNCTION report_measurement_inserted();

-- Decision lists page by sequence within one contract.
CREATE INDEX ix_decisions_contract_sequence ON decisions (contract_id, sequence);
-- Payment statements page a period's ledger entries by sequence.
CREATE INDEX ix_ledger_period_sequence ON ledger_entries (contract_id, period, sequence);
