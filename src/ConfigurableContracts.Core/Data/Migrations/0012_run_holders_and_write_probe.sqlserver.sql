-- Restart recovery and write health (issue 17).

-- The process that holds (or last held) a run: 'host|pid|start', where start tells this process from a later one
-- that reuses its pid. A restarted server finds its own killed process here and resumes the run at once instead of
-- waiting the lease out; NULL for runs held before this column existed (their lease decides, as before).
ALTER TABLE evaluation_runs ADD holder_process nvarchar(400) NULL;

-- One row that every instance's health probe updates: a real write, so a full disk or a read-only database shows in
-- GET /health before a request meets it.
CREATE TABLE write_probe (
    id         int NOT NULL PRIMARY KEY CHECK (id = 1),
    probed_at  datetimeoffset NOT NULL,
    probed_by  nvarchar(200) NULL
);
INSERT INTO write_probe (id, probed_at, probed_by) VALUES (1, '1970-01-01T00:00:00+00:00', NULL);
