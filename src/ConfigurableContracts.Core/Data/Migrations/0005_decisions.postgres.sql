-- Outcome decisions and the payment ledger. Both are append-only: a decision is superseded by a newer one, never
-- edited (only its superseded_by link is set); a ledger entry is corrected by a reversing entry, never edited.

-- Every input snapshot a decision was made from, stored once however many decisions share it.
CREATE TABLE evaluation_inputs (
    input_hash   text PRIMARY KEY,   -- SHA-256 of the canonical snapshot
    snapshot     text NOT NULL         -- canonical JSON of every input the workflow saw, asOf included
);

CREATE TABLE decisions (
    id                 text PRIMARY KEY,          -- SHA-256 of what was decided from what, after which decision: a retry writes nothing new
    sequence           bigint NOT NULL,
    contract_id        text NOT NULL REFERENCES contracts (id),
    participant_id     text NULL REFERENCES participants (id),  -- null for cohort decisions
    provider_id        text NULL,
    workflow           text NOT NULL,
    outcome            text NOT NULL,          -- rule path, e.g. BrokeNegativeDevelopment or Parent/Child
    measurement_point  text NULL,
    status             text NOT NULL CHECK (status IN ('Achieved', 'NotAchieved', 'NotEvaluable', 'Error')),
    action_output      text NULL,              -- canonical JSON
    result_tree        text NOT NULL,          -- canonical JSON of the rule's result tree
    bundle_hash        text NOT NULL REFERENCES template_bundles (hash),
    engine_version     text NOT NULL,
    input_hash         text NOT NULL REFERENCES evaluation_inputs (input_hash),
    data_hash          text NOT NULL,          -- SHA-256 of the inputs without asOf: same data, same status, nothing new
    as_of              date NOT NULL,
    run_id             text NOT NULL,
    decided_at         timestamptz NOT NULL,
    superseded_by      text NULL REFERENCES decisions (id)
);
CREATE INDEX ix_decisions_current ON decisions (contract_id, participant_id, outcome, superseded_by);
CREATE INDEX ix_decisions_run ON decisions (run_id);

CREATE TABLE ledger_entries (
    id                 text PRIMARY KEY,          -- SHA-256 of (decision, payment kind, entry type): no duplicates on retry
    sequence           bigint NOT NULL,
    contract_id        text NOT NULL REFERENCES contracts (id),
    provider_id        text NOT NULL,
    participant_id     text NULL REFERENCES participants (id),
    decision_id        text NOT NULL REFERENCES decisions (id),
    kind               text NOT NULL,          -- activity, outcome
    entry_type         text NOT NULL CHECK (entry_type IN ('charge', 'reversal')),
    corrects_entry_id  text NULL REFERENCES ledger_entries (id),
    period             text NOT NULL,          -- YYYY-MM
    requested_amount   numeric(18, 2) NOT NULL,
    amount             numeric(18, 2) NOT NULL, -- after caps
    cap_note           text NULL,
    currency           text NOT NULL,
    run_id             text NOT NULL,
    created_at         timestamptz NOT NULL
);
CREATE INDEX ix_ledger_contract_period ON ledger_entries (contract_id, period, provider_id);

-- Approval state of a provider's payments for one period, set by a commissioner or verifier.
CREATE TABLE payment_reviews (
    contract_id   text NOT NULL REFERENCES contracts (id),
    provider_id   text NOT NULL,
    period        text NOT NULL,
    status        text NOT NULL CHECK (status IN ('approved', 'disputed')),
    note          text NULL,
    reviewed_by   text NOT NULL,
    reviewed_at   timestamptz NOT NULL,
    PRIMARY KEY (contract_id, provider_id, period)
);
