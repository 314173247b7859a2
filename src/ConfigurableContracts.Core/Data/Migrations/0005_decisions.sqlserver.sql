-- Outcome decisions and the payment ledger. Both are append-only: a decision is superseded by a newer one, never
-- edited (only its superseded_by link is set); a ledger entry is corrected by a reversing entry, never edited.

-- Every input snapshot a decision was made from, stored once however many decisions share it.
CREATE TABLE evaluation_inputs (
    input_hash   nvarchar(64) NOT NULL PRIMARY KEY,   -- SHA-256 of the canonical snapshot
    snapshot     nvarchar(max) NOT NULL         -- canonical JSON of every input the workflow saw, asOf included
);

CREATE TABLE decisions (
    id                 nvarchar(64) NOT NULL PRIMARY KEY,          -- SHA-256 of what was decided from what, after which decision: a retry writes nothing new
    sequence           bigint NOT NULL,
    contract_id        nvarchar(64) NOT NULL REFERENCES contracts (id),
    participant_id     nvarchar(64) NULL REFERENCES participants (id),  -- null for cohort decisions
    provider_id        nvarchar(64) NULL,
    workflow           nvarchar(200) NOT NULL,
    outcome            nvarchar(400) NOT NULL,          -- rule path, e.g. BrokeNegativeDevelopment or Parent/Child
    measurement_point  nvarchar(64) NULL,
    status             nvarchar(20) NOT NULL CHECK (status IN ('Achieved', 'NotAchieved', 'NotEvaluable', 'Error')),
    action_output      nvarchar(max) NULL,              -- canonical JSON
    result_tree        nvarchar(max) NOT NULL,          -- canonical JSON of the rule's result tree
    bundle_hash        nvarchar(64) NOT NULL REFERENCES template_bundles (hash),
    engine_version     nvarchar(50) NOT NULL,
    input_hash         nvarchar(64) NOT NULL REFERENCES evaluation_inputs (input_hash),
    data_hash          nvarchar(64) NOT NULL,          -- SHA-256 of the inputs without asOf: same data, same status, nothing new
    as_of              date NOT NULL,
    run_id             nvarchar(64) NOT NULL,
    decided_at         datetimeoffset NOT NULL,
    superseded_by      nvarchar(64) NULL REFERENCES decisions (id)
);
CREATE INDEX ix_decisions_current ON decisions (contract_id, participant_id, outcome, superseded_by);
CREATE INDEX ix_decisions_run ON decisions (run_id);

CREATE TABLE ledger_entries (
    id                 nvarchar(64) NOT NULL PRIMARY KEY,          -- SHA-256 of (decision, payment kind, entry type): no duplicates on retry
    sequence           bigint NOT NULL,
    contract_id        nvarchar(64) NOT NULL REFERENCES contracts (id),
    provider_id        nvarchar(64) NOT NULL,
    participant_id     nvarchar(64) NULL REFERENCES participants (id),
    decision_id        nvarchar(64) NOT NULL REFERENCES decisions (id),
    kind               nvarchar(50) NOT NULL,          -- activity, outcome
    entry_type         nvarchar(20) NOT NULL CHECK (entry_type IN ('charge', 'reversal')),
    corrects_entry_id  nvarchar(64) NULL REFERENCES ledger_entries (id),
    period             nvarchar(7) NOT NULL,           -- YYYY-MM
    requested_amount   decimal(18, 2) NOT NULL,
    amount             decimal(18, 2) NOT NULL,        -- after caps
    cap_note           nvarchar(400) NULL,
    currency           nvarchar(3) NOT NULL,
    run_id             nvarchar(64) NOT NULL,
    created_at         datetimeoffset NOT NULL
);
CREATE INDEX ix_ledger_contract_period ON ledger_entries (contract_id, period, provider_id);

-- Approval state of a provider's payments for one period, set by a commissioner or verifier.
CREATE TABLE payment_reviews (
    contract_id   nvarchar(64) NOT NULL REFERENCES contracts (id),
    provider_id   nvarchar(64) NOT NULL,
    period        nvarchar(7) NOT NULL,
    status        nvarchar(20) NOT NULL CHECK (status IN ('approved', 'disputed')),
    note          nvarchar(400) NULL,
    reviewed_by   nvarchar(200) NOT NULL,
    reviewed_at   datetimeoffset NOT NULL,
    PRIMARY KEY (contract_id, provider_id, period)
);
