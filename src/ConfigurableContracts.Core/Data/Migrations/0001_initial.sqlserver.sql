-- Organisations, API keys, template bundles, contracts, participants and measurements.
-- Instants are datetimeoffset (UTC); calendar dates are date; documents are JSON in nvarchar(max).
-- Keys are nvarchar(64/200) because SQL Server cannot index nvarchar(max).

CREATE TABLE organisations (
    id          nvarchar(64) NOT NULL PRIMARY KEY,
    name        nvarchar(200) NOT NULL,
    created_at  datetimeoffset NOT NULL
);

CREATE TABLE api_keys (
    id               nvarchar(64) NOT NULL PRIMARY KEY,
    organisation_id  nvarchar(64) NOT NULL REFERENCES organisations (id),
    role             nvarchar(20) NOT NULL CHECK (role IN ('admin', 'designer', 'commissioner', 'provider', 'auditor')),
    key_hash         nvarchar(64) NOT NULL UNIQUE,   -- SHA-256 of the secret; the secret itself is never stored
    label            nvarchar(200) NOT NULL,
    created_at       datetimeoffset NOT NULL,
    revoked_at       datetimeoffset NULL
);

-- The exact files of a template version, content-addressed, so old contracts and decisions stay evaluable.
CREATE TABLE template_bundles (
    hash          nvarchar(64) NOT NULL PRIMARY KEY,
    template_id   nvarchar(100) NOT NULL,
    version       nvarchar(50) NOT NULL,
    files         nvarchar(max) NOT NULL,             -- JSON object: relative path -> normalised file text
    stored_at     datetimeoffset NOT NULL
);

CREATE TABLE contracts (
    id                 nvarchar(64) NOT NULL PRIMARY KEY,
    commissioner_id    nvarchar(64) NOT NULL REFERENCES organisations (id),
    template_id        nvarchar(100) NOT NULL,
    template_version   nvarchar(50) NOT NULL,
    bundle_hash        nvarchar(64) NOT NULL REFERENCES template_bundles (hash),
    title              nvarchar(400) NOT NULL,
    parameters         nvarchar(max) NOT NULL,
    status             nvarchar(10) NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
    row_version        int NOT NULL,
    created_at         datetimeoffset NOT NULL,
    updated_at         datetimeoffset NOT NULL,
    activated_at       datetimeoffset NULL,
    closed_at          datetimeoffset NULL
);

-- Which provider organisations deliver under a contract; it scopes every provider's reads and writes.
CREATE TABLE contract_providers (
    contract_id   nvarchar(64) NOT NULL REFERENCES contracts (id),
    provider_id   nvarchar(64) NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (contract_id, provider_id)
);

CREATE TABLE participants (
    id               nvarchar(64) NOT NULL PRIMARY KEY,
    contract_id      nvarchar(64) NOT NULL REFERENCES contracts (id),
    provider_id      nvarchar(64) NOT NULL REFERENCES organisations (id),
    pseudonym        nvarchar(64) NOT NULL,
    enrolment_date   date NOT NULL,
    record           nvarchar(max) NOT NULL,
    row_version      int NOT NULL,
    created_at       datetimeoffset NOT NULL,
    created_by       nvarchar(200) NOT NULL,
    updated_at       datetimeoffset NOT NULL,
    CONSTRAINT uq_participants_pseudonym UNIQUE (contract_id, pseudonym),
    CONSTRAINT fk_participants_contract_provider FOREIGN KEY (contract_id, provider_id) REFERENCES contract_providers (contract_id, provider_id)
);
CREATE INDEX ix_participants_provider ON participants (contract_id, provider_id);

-- Every version of every measurement is kept; the latest version per (participant, point) is the current one.
CREATE TABLE measurements (
    id               nvarchar(64) NOT NULL PRIMARY KEY,
    participant_id   nvarchar(64) NOT NULL REFERENCES participants (id),
    contract_id      nvarchar(64) NOT NULL REFERENCES contracts (id),
    provider_id      nvarchar(64) NOT NULL REFERENCES organisations (id),
    point            nvarchar(64) NOT NULL,
    version          int NOT NULL,
    measured_on      date NOT NULL,
    document         nvarchar(max) NOT NULL,
    recorded_at      datetimeoffset NOT NULL,
    recorded_by      nvarchar(200) NOT NULL,
    CONSTRAINT uq_measurements_version UNIQUE (participant_id, point, version)
);
CREATE INDEX ix_measurements_contract ON measurements (contract_id, provider_id);
