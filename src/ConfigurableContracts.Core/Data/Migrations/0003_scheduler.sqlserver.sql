-- Nightly evaluations: a contract's own schedule, the record of every evaluation run, and the tables of
-- Quartz.NET 4's clustered ADO.NET job store, which several server instances share so each nightly run
-- fires once. Quartz's tables follow its documented 4.x layout (names, columns, nullability) because its
-- store validates them at start-up.

ALTER TABLE contracts ADD schedule_cron nvarchar(120) NULL;   -- Quartz cron (seconds first); NULL = Scheduler:NightlyCron

CREATE TABLE evaluation_runs (
    id                  nvarchar(64) NOT NULL PRIMARY KEY,
    contract_id         nvarchar(64) NOT NULL REFERENCES contracts (id),
    triggered_by        nvarchar(10) NOT NULL CHECK (triggered_by IN ('schedule', 'manual', 'catch-up')),
    status              nvarchar(10) NOT NULL CHECK (status IN ('queued', 'running', 'retrying', 'succeeded', 'failed')),
    scheduled_for       datetimeoffset NOT NULL,
    created_at          datetimeoffset NOT NULL,
    started_at          datetimeoffset NULL,
    finished_at         datetimeoffset NULL,
    attempt             int NOT NULL,
    instance_id         nvarchar(200) NULL,
    lease_expires_at    datetimeoffset NULL,
    participants_total  int NULL,
    participants_done   int NOT NULL,
    progress_at         datetimeoffset NULL,
    counts              nvarchar(max) NULL,
    error               nvarchar(1000) NULL,
    CONSTRAINT uq_evaluation_runs_occurrence UNIQUE (contract_id, triggered_by, scheduled_for)
);
-- At most one queued or running run per contract, whichever instance or endpoint started it.
CREATE UNIQUE INDEX ux_evaluation_runs_active ON evaluation_runs (contract_id) WHERE status IN ('queued', 'running', 'retrying');
CREATE INDEX ix_evaluation_runs_created ON evaluation_runs (created_at, id);
CREATE INDEX ix_evaluation_runs_contract ON evaluation_runs (contract_id, created_at);

-- ---- Quartz.NET job store --------------------------------------------------------------------------
-- Instants are Quartz's own: bigint ticks (100 ns since 0001-01-01 UTC). Every key starts with SCHED_NAME.
-- Name columns are nvarchar(150) so three-part keys stay inside SQL Server's index key size.

CREATE TABLE QRTZ_JOB_DETAILS (
    SCHED_NAME          nvarchar(120) NOT NULL,
    JOB_NAME            nvarchar(150) NOT NULL,
    JOB_GROUP           nvarchar(150) NOT NULL,
    DESCRIPTION         nvarchar(250) NULL,
    JOB_CLASS_NAME      nvarchar(250) NOT NULL,
    IS_DURABLE          bit NOT NULL,
    IS_NONCONCURRENT    bit NOT NULL,
    IS_UPDATE_DATA      bit NOT NULL,
    REQUESTS_RECOVERY   bit NOT NULL,
    JOB_DATA            varbinary(max) NULL,
    CONSTRAINT pk_qrtz_job_details PRIMARY KEY (SCHED_NAME, JOB_NAME, JOB_GROUP)
);

CREATE TABLE QRTZ_TRIGGERS (
    SCHED_NAME               nvarchar(120) NOT NULL,
    TRIGGER_NAME             nvarchar(150) NOT NULL,
    TRIGGER_GROUP            nvarchar(150) NOT NULL,
    JOB_NAME                 nvarchar(150) NOT NULL,
    JOB_GROUP                nvarchar(150) NOT NULL,
    DESCRIPTION              nvarchar(250) NULL,
    NEXT_FIRE_TIME           bigint NULL,
    PREV_FIRE_TIME           bigint NULL,
    PRIORITY                 int NULL,
    TRIGGER_STATE            nvarchar(16) NOT NULL,
    TRIGGER_TYPE             nvarchar(8) NOT NULL,
    START_TIME               bigint NOT NULL,
    END_TIME                 bigint NULL,
    CALENDAR_NAME            nvarchar(200) NULL,
    MISFIRE_INSTR            int NULL,
    MISFIRE_ORIG_FIRE_TIME   bigint NULL,
    EXECUTION_GROUP          nvarchar(200) NULL,
    PREFERRED_NODE           nvarchar(200) NULL,
    PREFERRED_NODE_AUTO      bit NOT NULL DEFAULT 0,
    RETRY_POLICY             nvarchar(250) NULL,
    RETRY_ATTEMPT            int NULL,
    CONTINUES_TRIGGER_NAME   nvarchar(150) NULL,
    CONTINUES_TRIGGER_GROUP  nvarchar(150) NULL,
    CONTINUATION_CONDITION   int NULL,
    OVERLAP_POLICY           int NULL,
    PAUSE_REASON             nvarchar(250) NULL,
    PAUSED_BY                nvarchar(200) NULL,
    PAUSED_AT                bigint NULL,
    MISFIRE_THRESHOLD        bigint NULL,
    FIXED_DELAY              bit NULL,
    JOB_DATA                 varbinary(max) NULL,
    CONSTRAINT pk_qrtz_triggers PRIMARY KEY (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP),
    CONSTRAINT fk_qrtz_triggers_job FOREIGN KEY (SCHED_NAME, JOB_NAME, JOB_GROUP) REFERENCES QRTZ_JOB_DETAILS (SCHED_NAME, JOB_NAME, JOB_GROUP)
);

CREATE TABLE QRTZ_SIMPLE_TRIGGERS (
    SCHED_NAME       nvarchar(120) NOT NULL,
    TRIGGER_NAME     nvarchar(150) NOT NULL,
    TRIGGER_GROUP    nvarchar(150) NOT NULL,
    REPEAT_COUNT     int NOT NULL,
    REPEAT_INTERVAL  bigint NOT NULL,
    TIMES_TRIGGERED  int NOT NULL,
    CONSTRAINT pk_qrtz_simple_triggers PRIMARY KEY (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP),
    CONSTRAINT fk_qrtz_simple_triggers FOREIGN KEY (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP) REFERENCES QRTZ_TRIGGERS (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP) ON DELETE CASCADE
);

CREATE TABLE QRTZ_CRON_TRIGGERS (
    SCHED_NAME       nvarchar(120) NOT NULL,
    TRIGGER_NAME     nvarchar(150) NOT NULL,
    TRIGGER_GROUP    nvarchar(150) NOT NULL,
    CRON_EXPRESSION  nvarchar(120) NOT NULL,
    TIME_ZONE_ID     nvarchar(80) NULL,
    CONSTRAINT pk_qrtz_cron_triggers PRIMARY KEY (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP),
    CONSTRAINT fk_qrtz_cron_triggers FOREIGN KEY (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP) REFERENCES QRTZ_TRIGGERS (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP) ON DELETE CASCADE
);

CREATE TABLE QRTZ_SIMPROP_TRIGGERS (
    SCHED_NAME     nvarchar(120) NOT NULL,
    TRIGGER_NAME   nvarchar(150) NOT NULL,
    TRIGGER_GROUP  nvarchar(150) NOT NULL,
    STR_PROP_1     nvarchar(512) NULL,
    STR_PROP_2     nvarchar(512) NULL,
    STR_PROP_3     nvarchar(512) NULL,
    INT_PROP_1     int NULL,
    INT_PROP_2     int NULL,
    LONG_PROP_1    bigint NULL,
    LONG_PROP_2    bigint NULL,
    DEC_PROP_1     numeric(13, 4) NULL,
    DEC_PROP_2     numeric(13, 4) NULL,
    BOOL_PROP_1    bit NULL,
    BOOL_PROP_2    bit NULL,
    TIME_ZONE_ID   nvarchar(80) NULL,
    CONSTRAINT pk_qrtz_simprop_triggers PRIMARY KEY (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP),
    CONSTRAINT fk_qrtz_simprop_triggers FOREIGN KEY (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP) REFERENCES QRTZ_TRIGGERS (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP) ON DELETE CASCADE
);

CREATE TABLE QRTZ_BLOB_TRIGGERS (
    SCHED_NAME     nvarchar(120) NOT NULL,
    TRIGGER_NAME   nvarchar(150) NOT NULL,
    TRIGGER_GROUP  nvarchar(150) NOT NULL,
    BLOB_DATA      varbinary(max) NULL,
    CONSTRAINT pk_qrtz_blob_triggers PRIMARY KEY (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP)
);

CREATE TABLE QRTZ_CALENDARS (
    SCHED_NAME     nvarchar(120) NOT NULL,
    CALENDAR_NAME  nvarchar(200) NOT NULL,
    CALENDAR       varbinary(max) NOT NULL,
    CONSTRAINT pk_qrtz_calendars PRIMARY KEY (SCHED_NAME, CALENDAR_NAME)
);

CREATE TABLE QRTZ_PAUSED_TRIGGER_GRPS (
    SCHED_NAME     nvarchar(120) NOT NULL,
    TRIGGER_GROUP  nvarchar(150) NOT NULL,
    PAUSE_REASON   nvarchar(250) NULL,
    PAUSED_BY      nvarchar(200) NULL,
    PAUSED_AT      bigint NULL,
    CONSTRAINT pk_qrtz_paused_trigger_grps PRIMARY KEY (SCHED_NAME, TRIGGER_GROUP)
);

CREATE TABLE QRTZ_PAUSED_JOB_GRPS (
    SCHED_NAME    nvarchar(120) NOT NULL,
    JOB_GROUP     nvarchar(150) NOT NULL,
    PAUSE_REASON  nvarchar(250) NULL,
    PAUSED_BY     nvarchar(200) NULL,
    PAUSED_AT     bigint NULL,
    CONSTRAINT pk_qrtz_paused_job_grps PRIMARY KEY (SCHED_NAME, JOB_GROUP)
);

-- What is executing right now, on which instance; a dead instance's rows are what cluster recovery re-fires.
CREATE TABLE QRTZ_FIRED_TRIGGERS (
    SCHED_NAME                nvarchar(120) NOT NULL,
    ENTRY_ID                  nvarchar(140) NOT NULL,
    TRIGGER_NAME              nvarchar(150) NOT NULL,
    TRIGGER_GROUP             nvarchar(150) NOT NULL,
    INSTANCE_NAME             nvarchar(200) NOT NULL,
    FIRED_TIME                bigint NOT NULL,
    SCHED_TIME                bigint NOT NULL,
    PRIORITY                  int NOT NULL,
    STATE                     nvarchar(16) NOT NULL,
    JOB_NAME                  nvarchar(150) NULL,
    JOB_GROUP                 nvarchar(150) NULL,
    IS_NONCONCURRENT          bit NULL,
    REQUESTS_RECOVERY         bit NULL,
    EXECUTION_GROUP           nvarchar(200) NULL,
    PROGRESS                  int NULL,
    PROGRESS_MESSAGE          nvarchar(250) NULL,
    INTERRUPT_REQUESTED_TIME  bigint NULL,
    CONSTRAINT pk_qrtz_fired_triggers PRIMARY KEY (SCHED_NAME, ENTRY_ID)
);

-- Cluster membership: each instance checks in here; a missed check-in marks it dead.
CREATE TABLE QRTZ_SCHEDULER_STATE (
    SCHED_NAME         nvarchar(120) NOT NULL,
    INSTANCE_NAME      nvarchar(200) NOT NULL,
    LAST_CHECKIN_TIME  bigint NOT NULL,
    CHECKIN_INTERVAL   bigint NOT NULL,
    QUARTZ_VERSION     nvarchar(20) NULL,
    CONSTRAINT pk_qrtz_scheduler_state PRIMARY KEY (SCHED_NAME, INSTANCE_NAME)
);

CREATE TABLE QRTZ_LOCKS (
    SCHED_NAME  nvarchar(120) NOT NULL,
    LOCK_NAME   nvarchar(40) NOT NULL,
    CONSTRAINT pk_qrtz_locks PRIMARY KEY (SCHED_NAME, LOCK_NAME)
);

-- Per-job run summary Quartz 4 keeps beside the triggers.
CREATE TABLE QRTZ_JOB_STATUS (
    SCHED_NAME            nvarchar(120) NOT NULL,
    JOB_GROUP             nvarchar(150) NOT NULL,
    JOB_NAME              nvarchar(150) NOT NULL,
    FIRST_FIRED_TIME      bigint NOT NULL,
    LAST_FIRED_TIME       bigint NOT NULL,
    LAST_RESULT           int NOT NULL,
    LAST_RUN_TIME         bigint NOT NULL,
    LAST_INSTANCE_NAME    nvarchar(200) NOT NULL,
    LAST_ENTRY_ID         nvarchar(140) NULL,
    LAST_SUMMARY          nvarchar(1000) NULL,
    LAST_SUCCESS_TIME     bigint NULL,
    LAST_FAILURE_TIME     bigint NULL,
    LAST_FAILURE_MESSAGE  nvarchar(1000) NULL,
    CONSECUTIVE_FAILURES  int NOT NULL DEFAULT 0,
    RUN_COUNT             bigint NOT NULL DEFAULT 0,
    FAILURE_COUNT         bigint NOT NULL DEFAULT 0,
    CONSTRAINT pk_qrtz_job_status PRIMARY KEY (SCHED_NAME, JOB_GROUP, JOB_NAME)
);

-- The lookups the store makes on every acquisition, misfire sweep and recovery.
CREATE INDEX ix_qrtz_job_details_group ON QRTZ_JOB_DETAILS (SCHED_NAME, JOB_GROUP, JOB_NAME);
CREATE INDEX ix_qrtz_triggers_job ON QRTZ_TRIGGERS (SCHED_NAME, JOB_NAME, JOB_GROUP);
CREATE INDEX ix_qrtz_triggers_group ON QRTZ_TRIGGERS (SCHED_NAME, TRIGGER_GROUP, TRIGGER_NAME);
CREATE INDEX ix_qrtz_triggers_calendar ON QRTZ_TRIGGERS (SCHED_NAME, CALENDAR_NAME);
CREATE INDEX ix_qrtz_triggers_due ON QRTZ_TRIGGERS (SCHED_NAME, TRIGGER_STATE, NEXT_FIRE_TIME ASC, PRIORITY DESC, MISFIRE_INSTR);
CREATE INDEX ix_qrtz_fired_instance ON QRTZ_FIRED_TRIGGERS (SCHED_NAME, INSTANCE_NAME, REQUESTS_RECOVERY);
CREATE INDEX ix_qrtz_fired_job ON QRTZ_FIRED_TRIGGERS (SCHED_NAME, JOB_NAME, JOB_GROUP);
CREATE INDEX ix_qrtz_fired_trigger ON QRTZ_FIRED_TRIGGERS (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP);
