-- Organisations, API keys, template bundles, contracts, participants and measurements.
-- Instants are ISO-8601 text in UTC; calendar dates are 'YYYY-MM-DD' text; documents are JSON text.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE api_keys (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    role             TEXT NOT NULL CHECK (role IN ('admin', 'designer', 'commissioner', 'provider', 'auditor')),
    key_hash         TEXT NOT NULL UNIQUE,   -- SHA-256 of the secret; the secret itself is never stored
    label            TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    revoked_at       TEXT NULL
);

-- The exact files of a template version, content-addressed, so old contracts and decisions stay evaluable.
CREATE TABLE template_bundles (
    hash          TEXT PRIMARY KEY,
    template_id   TEXT NOT NULL,
    version       TEXT NOT NULL,
    files         TEXT NOT NULL,             -- JSON object: relative path -> normalised file text
    stored_at     TEXT NOT NULL
);

CREATE TABLE contracts (
    id                 TEXT PRIMARY KEY,
    commissioner_id    TEXT NOT NULL REFERENCES organisations (id),
    template_id        TEXT NOT NULL,
    template_version   TEXT NOT NULL,
    bundle_hash        TEXT NOT NULL REFERENCES template_bundles (hash),
    title              TEXT NOT NULL,
    parameters         TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
    row_version        INTEGER NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    activated_at       TEXT NULL,
    closed_at          TEXT NULL
);

-- Which provider organisations deliver under a contract; it scopes every provider's reads and writes.
CREATE TABLE contract_providers (
    contract_id   TEXT NOT NULL REFERENCES contracts (id),
    provider_id   TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (contract_id, provider_id)
);

CREATE TABLE participants (
    id               TEXT PRIMARY KEY,
    contract_id      TEXT NOT NULL REFERENCES contracts (id),
    provider_id      TEXT NOT NULL REFERENCES organisations (id),
    pseudonym        TEXT NOT NULL,
    enrolment_date   TEXT NOT NULL,
    record           TEXT NOT NULL,
    row_version      INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (contract_id, pseudonym),
    FOREIGN KEY (contract_id, provider_id) REFERENCES contract_providers (contract_id, provider_id)
);
CREATE INDEX ix_participants_provider ON participants (contract_id, provider_id);

-- Every version of every measurement is kept; the latest version per (participant, point) is the current one.
CREATE TABLE measurements (
    id               TEXT PRIMARY KEY,
    participant_id   TEXT NOT NULL REFERENCES participants (id),
    contract_id      TEXT NOT NULL REFERENCES contracts (id),
    provider_id      TEXT NOT NULL REFERENCES organisations (id),
    point            TEXT NOT NULL,
    version          INTEGER NOT NULL,
    measured_on      TEXT NOT NULL,
    document         TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    UNIQUE (participant_id, point, version)
);
CREATE INDEX ix_measurements_contract ON measurements (contract_id, provider_id);
