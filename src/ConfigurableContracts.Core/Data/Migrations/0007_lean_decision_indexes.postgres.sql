-- Decision indexes only where a read needs them: a night of 100 000 participants inserts half a million decisions,
-- and every index entry is written for each.
-- No query reads decisions by run; the run is on each row for the record.
DROP INDEX ix_decisions_run;
-- Only current decisions are looked up by participant (the evaluator's "unchanged?" check, current-only lists,
-- outcome reports), so the index holds only those, keyed by what those reads filter on.
DROP INDEX ix_decisions_current;
CREATE INDEX ix_decisions_current ON decisions (contract_id, participant_id) WHERE superseded_by IS NULL;
