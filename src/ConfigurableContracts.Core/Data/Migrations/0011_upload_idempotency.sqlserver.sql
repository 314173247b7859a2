-- Bulk uploads a client can retry (issue #17). One row per upload, named by the client's Idempotency-Key or, sent
-- without one, by 'sha256:' and the SHA-256 of the body; scoped to the organisation and contract. Lines are
-- committed in chunks, and each chunk's transaction also moves committed_through_line on (only from the value the
-- writer started from, so two requests can never both write one chunk), stores the chunk's per-line answer and
-- writes its audit entry. A retry after a crash or a lost answer resumes after committed_through_line and is
-- answered with the stored lines for the part committed before. Rows expire 24 hours after their last change.
CREATE TABLE bulk_uploads (
    id                      nvarchar(64) NOT NULL PRIMARY KEY,
    organisation_id         nvarchar(64) NOT NULL REFERENCES organisations (id),
    contract_id             nvarchar(64) NOT NULL REFERENCES contracts (id),
    kind                    nvarchar(20) NOT NULL CHECK (kind IN ('participants', 'measurements')),
    upload_key              nvarchar(200) NOT NULL,  -- the Idempotency-Key, or 'sha256:' + body_sha256 when none was sent
    body_sha256             nvarchar(64) NOT NULL,   -- lowercase hex of the body's bytes as received
    line_count              int NOT NULL,            -- lines in the body, blank ones included (line numbers are file lines)
    committed_through_line  int NOT NULL,            -- every line up to this one is committed; 0 before the first chunk
    accepted                int NOT NULL,
    unchanged               int NOT NULL,
    rejected                int NOT NULL,
    created_at              datetimeoffset NOT NULL,
    created_by              nvarchar(200) NOT NULL,
    updated_at              datetimeoffset NOT NULL,
    completed_at            datetimeoffset NULL,     -- set by the chunk that committed the last line
    expires_at              datetimeoffset NOT NULL
);
CREATE UNIQUE INDEX ux_bulk_uploads_key ON bulk_uploads (organisation_id, contract_id, kind, upload_key);
CREATE INDEX ix_bulk_uploads_body ON bulk_uploads (organisation_id, contract_id, body_sha256);
CREATE INDEX ix_bulk_uploads_expiry ON bulk_uploads (organisation_id, expires_at);

-- The answer for lines first_line..last_line of one upload, as JSON, committed with those lines' rows.
CREATE TABLE bulk_upload_chunks (
    upload_id   nvarchar(64) NOT NULL REFERENCES bulk_uploads (id),
    first_line  int NOT NULL,
    last_line   int NOT NULL,
    lines       nvarchar(max) NOT NULL,
    PRIMARY KEY (upload_id, first_line)
);
