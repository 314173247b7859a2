-- Indexes the nightly evaluation reads by.
-- Latest measurement per participant and point, read in participant-id ranges of one contract.
CREATE INDEX ix_measurements_evaluation ON measurements (contract_id, participant_id, point, version);
-- Un-reversed charges: without this, finding them is quadratic in the size of the ledger.
CREATE INDEX ix_ledger_corrects ON ledger_entries (corrects_entry_id);
