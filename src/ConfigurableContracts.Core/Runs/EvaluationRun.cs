namespace ConfigurableContracts.Core.Runs;

/// <summary>
/// One evaluation of one contract, as recorded in <c>evaluation_runs</c>: why it ran, where it is, what it wrote.
/// </summary>
public sealed record EvaluationRun
{
    public required string Id { get; init; }

    public required string ContractId { get; init; }

    public required RunTrigger Trigger { get; init; }

    public required RunStatus Status { get; init; }

    /// <summary>The nightly fire time the run stands for; for a manual run, when it was asked for.</summary>
    public required DateTimeOffset ScheduledFor { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>How many times evaluation was started for this run (retries and recoveries included).</summary>
    public int Attempt { get; init; }

    public string? InstanceId { get; init; }

    /// <summary>The process that holds (or last held) the run, as <see cref="RunHolder"/> describes it; null before it was recorded.</summary>
    public string? HolderProcess { get; init; }

    public DateTimeOffset? LeaseExpiresAt { get; init; }

    public int? ParticipantsTotal { get; init; }

    public int ParticipantsDone { get; init; }

    public DateTimeOffset? ProgressAt { get; init; }

    public IReadOnlyDictionary<string, long>? Counts { get; init; }

    public string? Error { get; init; }

    /// <summary>Queued, running or retrying: the run holds its contract's one active slot.</summary>
    public bool IsActive => Status is RunStatus.Queued or RunStatus.Running or RunStatus.Retrying;

    /// <summary>Participants per second between the start and the last progress write; null before any.</summary>
    public double? Rate =>
        StartedAt is { } started && ProgressAt is { } at && at > started && ParticipantsDone > 0
            ? Math.Round(ParticipantsDone / (at - started).TotalSeconds, 1)
            : null;
}

/// <summary>Why a run happened.</summary>
public enum RunTrigger
{
    /// <summary>The contract's nightly cron trigger fired.</summary>
    Schedule,

    /// <summary>Someone asked for it (endpoint or CLI).</summary>
    Manual,

    /// <summary>At start-up, for a nightly run missed while no server was up.</summary>
    CatchUp,
}

/// <summary>Where a run is. Queued, running and retrying are active; succeeded and failed are final.</summary>
public enum RunStatus
{
    Queued,
    Running,
    Retrying,
    Succeeded,
    Failed,
}

/// <summary>The words the database and the API use for triggers and statuses.</summary>
public static class RunNames
{
    public static string Of(RunTrigger trigger) => trigger switch
    {
        RunTrigger.Schedule => "schedule",
        RunTrigger.Manual => "manual",
        RunTrigger.CatchUp => "catch-up",
        _ => throw new ArgumentOutOfRangeException(nameof(trigger)),
    };

    public static string Of(RunStatus status) => status switch
    {
        RunStatus.Queued => "queued",
        RunStatus.Running => "running",
        RunStatus.Retrying => "retrying",
        RunStatus.Succeeded => "succeeded",
        RunStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static RunTrigger ParseTrigger(string value) => value switch
    {
        "schedule" => RunTrigger.Schedule,
        "manual" => RunTrigger.Manual,
        "catch-up" => RunTrigger.CatchUp,
        _ => throw new FormatException($"Unknown run trigger '{value}'."),
    };

    public static bool TryParseStatus(string? value, out RunStatus status)
    {
        foreach (var candidate in Enum.GetValues<RunStatus>())
        {
            if (string.Equals(Of(candidate), value, StringComparison.Ordinal))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }
}
