-- Outcome decisions and the payment ledger. Both are append-only: a decision is superseded by a newer one, never
-- edited (only its superseded_by link is set); a ledger entry is corrected by a reversing entry, never edited.

-- Every input snapshot a decision was made from, stored once however many decisions share it.
CREATE TABLE evaluation_inputs (
    input_hash   TEXT PRIMARY KEY,   -- SHA-256 of the canonical snapshot
    snapshot     TEXT NOT NULL         -- canonical JSON of every input the workflow saw, asOf included
);

CREATE TABLE decisions (
    id                 TEXT PRIMARY KEY,          -- SHA-256 of what was decided from what, after which decision: a retry writes nothing new
    sequence           INTEGER NOT NULL,
    contract_id        TEXT NOT NULL REFERENCES contracts (id),
    participant_id     TEXT NULL REFERENCES participants (id),  -- null for cohort decisions
    provider_id        TEXT NULL,
    workflow           TEXT NOT NULL,
    outcome            TEXT NOT NULL,          -- rule path, e.g. BrokeNegativeDevelopment or Parent/Child
    measurement_point  TEXT NULL,
    status             TEXT NOT NULL CHECK (status IN ('Achieved', 'NotAchieved', 'NotEvaluable', 'Error')),
    action_output      TEXT NULL,              -- canonical JSON
    result_tree        TEXT NOT NULL,          -- canonical JSON of the rule's result tree
    bundle_hash        TEXT NOT NULL REFERENCES template_bundles (hash),
    engine_version     TEXT NOT NULL,
    input_hash         TEXT NOT NULL REFERENCES evaluation_inputs (input_hash),
    data_hash          TEXT NOT NULL,          -- SHA-256 of the inputs without asOf: same data, same status, nothing new
    as_of              TEXT NOT NULL,
    run_id             TEXT NOT NULL,
    decided_at         TEXT NOT NULL,
    superseded_by      TEXT NULL REFERENCES decisions (id)
);
CREATE INDEX ix_decisions_current ON decisions (contract_id, participant_id, outcome, superseded_by);
CREATE INDEX ix_decisions_run ON decisions (run_id);

CREATE TABLE ledger_entries (
    id                 TEXT PRIMARY KEY,          -- SHA-256 of (decision, payment kind, entry type): no duplicates on retry
    sequence           INTEGER NOT NULL,
    contract_id        TEXT NOT NULL REFERENCES contracts (id),
    provider_id        TEXT NOT NULL,
    participant_id     TEXT NULL REFERENCES participants (id),
    decision_id        TEXT NOT NULL REFERENCES decisions (id),
    kind               TEXT NOT NULL,          -- activity, outcome
    entry_type         TEXT NOT NULL CHECK (entry_type IN ('charge', 'reversal')),
    corrects_entry_id  TEXT NULL REFERENCES ledger_entries (id),
    period             TEXT NOT NULL,          -- YYYY-MM
    requested_amount   TEXT NOT NULL,          -- decimal as invariant text: SQLite has no exact decimal type
    amount             TEXT NOT NULL,          -- after caps
    cap_note           TEXT NULL,
    currency           TEXT NOT NULL,
    run_id             TEXT NOT NULL,
    created_at         TEXT NOT NULL
);
CREATE INDEX ix_ledger_contract_period ON ledger_entries (contract_id, period, provider_id);

-- Approval state of a provider's payments for one period, set by a commissioner or verifier.
CREATE TABLE payment_reviews (
    contract_id   TEXT NOT NULL REFERENCES contracts (id),
    provider_id   TEXT NOT NULL,
    period        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('approved', 'disputed')),
    note          TEXT NULL,
    reviewed_by   TEXT NOT NULL,
    reviewed_at   TEXT NOT NULL,
    PRIMARY KEY (contract_id, provider_id, period)
);
