namespace ConfigurableContracts.Core.Runs;

/// <summary>
/// When and how contracts are evaluated. Bound from the <c>Scheduler</c> section and checked by
/// <see cref="SchedulerOptionsValidator"/> in both hosts; the CLI uses the run settings.
/// </summary>
public sealed class SchedulerOptions
{
    public const string SectionName = "Scheduler";

    /// <summary>Quartz cron (seconds first) for the nightly run of every contract without its own schedule_cron.</summary>
    public string NightlyCron { get; set; } = "0 0 2 * * ?";

    /// <summary>IANA time zone the cron expressions are read in.</summary>
    public string TimeZone { get; set; } = "Europe/Stockholm";

    /// <summary>At start-up, run once each nightly run that was missed while no server was up.</summary>
    public bool CatchUpOnStart { get; set; } = true;

    /// <summary>How many times a run is retried after a transient failure (database or timeout).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The wait before the first retry; each further retry waits twice as long as the one before.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a run's holder may go without a progress write before another instance may take the run over.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The default of <see cref="BatchSize"/>.</summary>
    public const int DefaultBatchSize = 2000;

    /// <summary>
    /// Participants per read and per write transaction of a run. A crash loses at most the batch being written;
    /// smaller batches commit more often, larger ones hold more in memory.
    /// </summary>
    public int BatchSize { get; set; } = DefaultBatchSize;

    /// <summary>What is wrong with <see cref="BatchSize"/>, or null: from 1 to 100 000 participants.</summary>
    public string? BatchSizeProblem() => BatchSize is < 1 or > 100_000
        ? $"Scheduler:BatchSize '{BatchSize}' must be between 1 and 100000."
        : null;

    /// <summary>How often progress is written to the run record and the log while a run is going.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Share Quartz's job store with other instances (clustered ADO.NET store). Null means: on for PostgreSQL
    /// and SQL Server, off (in-memory store) for SQLite, which cannot be clustered.
    /// </summary>
    public bool? Clustered { get; set; }

    /// <summary>This instance's id in the cluster; empty means the machine name plus a unique suffix.</summary>
    public string? InstanceId { get; set; }

    /// <summary>How often a clustered instance checks in; another is declared dead after missing it by <see cref="ClusterCheckinMisfireThreshold"/>.</summary>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan ClusterCheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the scheduler looks for runs nobody is doing: active under a lease that lapsed (the holder died, or
    /// could not record how its attempt ended because writes failed) or queued and never started. It fires each again.
    /// </summary>
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How late a nightly firing may still start normally; later ones are left to start-up catch-up.</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The wait between two retries: <see cref="RetryBackoff"/> doubled for each earlier retry.</summary>
    public TimeSpan BackoffBefore(int retry) =>
        TimeSpan.FromTicks(RetryBackoff.Ticks * (1L << Math.Clamp(retry - 1, 0, 20)));
}
