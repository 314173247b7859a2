-- Nightly evaluations: a contract's own schedule and the record of every evaluation run.
-- SQLite runs one server instance with Quartz's in-memory store, so no Quartz tables here; the run records
-- below are what catch-up after downtime is decided from.

-- A Quartz cron expression (seconds first) that replaces Scheduler:NightlyCron for this contract; NULL = default.
ALTER TABLE contracts ADD COLUMN schedule_cron TEXT NULL;

CREATE TABLE evaluation_runs (
    id                  TEXT PRIMARY KEY,
    contract_id         TEXT NOT NULL REFERENCES contracts (id),
    triggered_by        TEXT NOT NULL CHECK (triggered_by IN ('schedule', 'manual', 'catch-up')),
    status              TEXT NOT NULL CHECK (status IN ('queued', 'running', 'retrying', 'succeeded', 'failed')),
    scheduled_for       TEXT NOT NULL,   -- the nightly fire time it stands for; the request time for a manual run
    created_at          TEXT NOT NULL,
    started_at          TEXT NULL,
    finished_at         TEXT NULL,
    attempt             INTEGER NOT NULL,
    instance_id         TEXT NULL,       -- the scheduler instance that holds (or last held) the run
    lease_expires_at    TEXT NULL,       -- while active: the holder renews it; an expired lease may be taken over
    participants_total  INTEGER NULL,
    participants_done   INTEGER NOT NULL,
    progress_at         TEXT NULL,
    counts              TEXT NULL,       -- JSON object: name -> count (decisions written, ...)
    error               TEXT NULL,       -- a short, safe description: no stack trace, no participant data
    UNIQUE (contract_id, triggered_by, scheduled_for)
);
-- At most one queued or running run per contract: the database-side guard that keeps a manual run and a
-- scheduled run (or two nodes) from evaluating one contract at the same time.
CREATE UNIQUE INDEX ux_evaluation_runs_active ON evaluation_runs (contract_id) WHERE status IN ('queued', 'running', 'retrying');
CREATE INDEX ix_evaluation_runs_created ON evaluation_runs (created_at, id);
CREATE INDEX ix_evaluation_runs_contract ON evaluation_runs (contract_id, created_at);
