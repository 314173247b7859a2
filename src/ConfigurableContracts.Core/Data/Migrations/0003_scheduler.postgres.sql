-- Nightly evaluations: a contract's own schedule, the record of every evaluation run, and the tables of
-- Quartz.NET 4's clustered ADO.NET job store, which several server instances share so each nightly run
-- fires once. Quartz's tables follow its documented 4.x layout (names, columns, nullability) because its
-- store validates them at start-up; Quartz's identifiers are unquoted, so PostgreSQL folds them to lower case.

ALTER TABLE contracts ADD COLUMN schedule_cron text NULL;   -- Quartz cron (seconds first); NULL = Scheduler:NightlyCron

CREATE TABLE evaluation_runs (
    id                  text PRIMARY KEY,
    contract_id         text NOT NULL REFERENCES contracts (id),
    triggered_by        text NOT NULL CHECK (triggered_by IN ('schedule', 'manual', 'catch-up')),
    status              text NOT NULL CHECK (status IN ('queued', 'running', 'retrying', 'succeeded', 'failed')),
    scheduled_for       timestamptz NOT NULL,
    created_at          timestamptz NOT NULL,
    started_at          timestamptz NULL,
    finished_at         timestamptz NULL,
    attempt             integer NOT NULL,
    instance_id         text NULL,
    lease_expires_at    timestamptz NULL,
    participants_total  integer NULL,
    participants_done   integer NOT NULL,
    progress_at         timestamptz NULL,
    counts              text NULL,
    error               text NULL,
    UNIQUE (contract_id, triggered_by, scheduled_for)
);
-- At most one queued or running run per contract, whichever instance or endpoint started it.
CREATE UNIQUE INDEX ux_evaluation_runs_active ON evaluation_runs (contract_id) WHERE status IN ('queued', 'running', 'retrying');
CREATE INDEX ix_evaluation_runs_created ON evaluation_runs (created_at, id);
CREATE INDEX ix_evaluation_runs_contract ON evaluation_runs (contract_id, created_at);

-- ---- Quartz.NET job store --------------------------------------------------------------------------
-- Instants are Quartz's own: bigint ticks (100 ns since 0001-01-01 UTC). Every key starts with sched_name,
-- so schedulers of different names can share these tables.

CREATE TABLE qrtz_job_details (
    sched_name          text NOT NULL,
    job_name            text NOT NULL,
    job_group           text NOT NULL,
    description         text NULL,
    job_class_name      text NOT NULL,
    is_durable          boolean NOT NULL,
    is_nonconcurrent    boolean NOT NULL,
    is_update_data      boolean NOT NULL,
    requests_recovery   boolean NOT NULL,
    job_data            bytea NULL,
    PRIMARY KEY (sched_name, job_name, job_group)
);

CREATE TABLE qrtz_triggers (
    sched_name               text NOT NULL,
    trigger_name             text NOT NULL,
    trigger_group            text NOT NULL,
    job_name                 text NOT NULL,
    job_group                text NOT NULL,
    description              text NULL,
    next_fire_time           bigint NULL,
    prev_fire_time           bigint NULL,
    priority                 integer NULL,
    trigger_state            text NOT NULL,
    trigger_type             text NOT NULL,
    start_time               bigint NOT NULL,
    end_time                 bigint NULL,
    calendar_name            text NULL,
    misfire_instr            smallint NULL,
    misfire_orig_fire_time   bigint NULL,
    execution_group          varchar(200) NULL,
    preferred_node           varchar(200) NULL,
    preferred_node_auto      boolean NOT NULL DEFAULT false,
    retry_policy             varchar(250) NULL,
    retry_attempt            integer NULL,
    continues_trigger_name   text NULL,
    continues_trigger_group  text NULL,
    continuation_condition   integer NULL,
    overlap_policy           integer NULL,
    pause_reason             varchar(250) NULL,
    paused_by                varchar(200) NULL,
    paused_at                bigint NULL,
    misfire_threshold        bigint NULL,
    fixed_delay              boolean NULL,
    job_data                 bytea NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, job_name, job_group) REFERENCES qrtz_job_details (sched_name, job_name, job_group)
);

-- One row per trigger type; each hangs off qrtz_triggers and goes with it.
CREATE TABLE qrtz_simple_triggers (
    sched_name       text NOT NULL,
    trigger_name     text NOT NULL,
    trigger_group    text NOT NULL,
    repeat_count     bigint NOT NULL,
    repeat_interval  bigint NOT NULL,
    times_triggered  bigint NOT NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE qrtz_cron_triggers (
    sched_name       text NOT NULL,
    trigger_name     text NOT NULL,
    trigger_group    text NOT NULL,
    cron_expression  text NOT NULL,
    time_zone_id     text NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE qrtz_simprop_triggers (
    sched_name     text NOT NULL,
    trigger_name   text NOT NULL,
    trigger_group  text NOT NULL,
    str_prop_1     text NULL,
    str_prop_2     text NULL,
    str_prop_3     text NULL,
    int_prop_1     integer NULL,
    int_prop_2     integer NULL,
    long_prop_1    bigint NULL,
    long_prop_2    bigint NULL,
    dec_prop_1     numeric NULL,
    dec_prop_2     numeric NULL,
    bool_prop_1    boolean NULL,
    bool_prop_2    boolean NULL,
    time_zone_id   text NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE qrtz_blob_triggers (
    sched_name     text NOT NULL,
    trigger_name   text NOT NULL,
    trigger_group  text NOT NULL,
    blob_data      bytea NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE qrtz_calendars (
    sched_name     text NOT NULL,
    calendar_name  text NOT NULL,
    calendar       bytea NOT NULL,
    PRIMARY KEY (sched_name, calendar_name)
);

CREATE TABLE qrtz_paused_trigger_grps (
    sched_name     text NOT NULL,
    trigger_group  text NOT NULL,
    pause_reason   varchar(250) NULL,
    paused_by      varchar(200) NULL,
    paused_at      bigint NULL,
    PRIMARY KEY (sched_name, trigger_group)
);

CREATE TABLE qrtz_paused_job_grps (
    sched_name    text NOT NULL,
    job_group     text NOT NULL,
    pause_reason  varchar(250) NULL,
    paused_by     varchar(200) NULL,
    paused_at     bigint NULL,
    PRIMARY KEY (sched_name, job_group)
);

-- What is executing right now, on which instance; a dead instance's rows are what cluster recovery re-fires.
CREATE TABLE qrtz_fired_triggers (
    sched_name                text NOT NULL,
    entry_id                  text NOT NULL,
    trigger_name              text NOT NULL,
    trigger_group             text NOT NULL,
    instance_name             text NOT NULL,
    fired_time                bigint NOT NULL,
    sched_time                bigint NOT NULL,
    priority                  integer NOT NULL,
    state                     text NOT NULL,
    job_name                  text NULL,
    job_group                 text NULL,
    is_nonconcurrent          boolean NOT NULL,
    requests_recovery         boolean NULL,
    execution_group           varchar(200) NULL,
    progress                  integer NULL,
    progress_message          varchar(250) NULL,
    interrupt_requested_time  bigint NULL,
    PRIMARY KEY (sched_name, entry_id)
);

-- Cluster membership: each instance checks in here; a missed check-in marks it dead.
CREATE TABLE qrtz_scheduler_state (
    sched_name         text NOT NULL,
    instance_name      text NOT NULL,
    last_checkin_time  bigint NOT NULL,
    checkin_interval   bigint NOT NULL,
    quartz_version     varchar(20) NULL,
    PRIMARY KEY (sched_name, instance_name)
);

CREATE TABLE qrtz_locks (
    sched_name  text NOT NULL,
    lock_name   text NOT NULL,
    PRIMARY KEY (sched_name, lock_name)
);

-- Per-job run summary Quartz 4 keeps beside the triggers.
CREATE TABLE qrtz_job_status (
    sched_name            text NOT NULL,
    job_group             text NOT NULL,
    job_name              text NOT NULL,
    first_fired_time      bigint NOT NULL,
    last_fired_time       bigint NOT NULL,
    last_result           integer NOT NULL,
    last_run_time         bigint NOT NULL,
    last_instance_name    text NOT NULL,
    last_entry_id         text NULL,
    last_summary          text NULL,
    last_success_time     bigint NULL,
    last_failure_time     bigint NULL,
    last_failure_message  text NULL,
    consecutive_failures  integer NOT NULL DEFAULT 0,
    run_count             bigint NOT NULL DEFAULT 0,
    failure_count         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (sched_name, job_group, job_name)
);

-- The lookups the store makes on every acquisition, misfire sweep and recovery.
CREATE INDEX ix_qrtz_job_details_group ON qrtz_job_details (sched_name, job_group, job_name);
CREATE INDEX ix_qrtz_triggers_job ON qrtz_triggers (sched_name, job_name, job_group);
CREATE INDEX ix_qrtz_triggers_group ON qrtz_triggers (sched_name, trigger_group, trigger_name);
CREATE INDEX ix_qrtz_triggers_calendar ON qrtz_triggers (sched_name, calendar_name);
CREATE INDEX ix_qrtz_triggers_due ON qrtz_triggers (sched_name, trigger_state, next_fire_time ASC, priority DESC, misfire_instr);
CREATE INDEX ix_qrtz_fired_instance ON qrtz_fired_triggers (sched_name, instance_name, requests_recovery);
CREATE INDEX ix_qrtz_fired_job ON qrtz_fired_triggers (sched_name, job_name, job_group);
CREATE INDEX ix_qrtz_fired_trigger ON qrtz_fired_triggers (sched_name, trigger_name, trigger_group);
