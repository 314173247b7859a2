-- Organisations, API keys, template bundles, contracts, participants and measurements.
-- Instants are timestamptz; calendar dates are date; documents are JSON text (read whole, never queried inside).

CREATE TABLE organisations (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE api_keys (
    id               text PRIMARY KEY,
    organisation_id  text NOT NULL REFERENCES organisations (id),
    role             text NOT NULL CHECK (role IN ('admin', 'designer', 'commissioner', 'provider', 'auditor')),
    key_hash         text NOT NULL UNIQUE,   -- SHA-256 of the secret; the secret itself is never stored
    label            text NOT NULL,
    created_at       timestamptz NOT NULL,
    revoked_at       timestamptz NULL
);

-- The exact files of a template version, content-addressed, so old contracts and decisions stay evaluable.
CREATE TABLE template_bundles (
    hash          text PRIMARY KEY,
    template_id   text NOT NULL,
    version       text NOT NULL,
    files         text NOT NULL,             -- JSON object: relative path -> normalised file text
    stored_at     timestamptz NOT NULL
);

CREATE TABLE contracts (
    id                 text PRIMARY KEY,
    commissioner_id    text NOT NULL REFERENCES organisations (id),
    template_id        text NOT NULL,
    template_version   text NOT NULL,
    bundle_hash        text NOT NULL REFERENCES template_bundles (hash),
    title              text NOT NULL,
    parameters         text NOT NULL,
    status             text NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
    row_version        integer NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    activated_at       timestamptz NULL,
    closed_at          timestamptz NULL
);

-- Which provider organisations deliver under a contract; it scopes every provider's reads and writes.
CREATE TABLE contract_providers (
    contract_id   text NOT NULL REFERENCES contracts (id),
    provider_id   text NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (contract_id, provider_id)
);

CREATE TABLE participants (
    id               text PRIMARY KEY,
    contract_id      text NOT NULL REFERENCES contracts (id),
    provider_id      text NOT NULL REFERENCES organisations (id),
    pseudonym        text NOT NULL,
    enrolment_date   date NOT NULL,
    record           text NOT NULL,
    row_version      integer NOT NULL,
    created_at       timestamptz NOT NULL,
    created_by       text NOT NULL,
    updated_at       timestamptz NOT NULL,
    UNIQUE (contract_id, pseudonym),
    FOREIGN KEY (contract_id, provider_id) REFERENCES contract_providers (contract_id, provider_id)
);
CREATE INDEX ix_participants_provider ON participants (contract_id, provider_id);

-- Every version of every measurement is kept; the latest version per (participant, point) is the current one.
CREATE TABLE measurements (
    id               text PRIMARY KEY,
    participant_id   text NOT NULL REFERENCES participants (id),
    contract_id      text NOT NULL REFERENCES contracts (id),
    provider_id      text NOT NULL REFERENCES organisations (id),
    point            text NOT NULL,
    version          integer NOT NULL,
    measured_on      date NOT NULL,
    document         text NOT NULL,
    recorded_at      timestamptz NOT NULL,
    recorded_by      text NOT NULL,
    UNIQUE (participant_id, point, version)
);
CREATE INDEX ix_measurements_contract ON measurements (contract_id, provider_id);
