namespace ConfigurableContracts.Core.Measurements;

/// <summary>
/// One version of a participant's measurement at one point of the plan. Corrections add versions; none is ever
/// overwritten, and the highest version is the current value.
/// </summary>
public sealed record Measurement(
    string Id,
    string ParticipantId,
    string ContractId,
    string ProviderId,
    string Point,
    int Version,
    DateOnly MeasuredOn,
    string Document,
    DateTimeOffset RecordedAt,
    string RecordedBy);

/// <summary>A measurement to record for an enrolled participant (already validated against schema and plan).</summary>
public sealed record NewMeasurement(string ParticipantId, string Point, DateOnly MeasuredOn, string Document);

/// <summary>What an attempt to record came to.</summary>
public enum RecordingOutcome
{
    Recorded,

    /// <summary>No such participant of this contract among the caller's own.</summary>
    ParticipantNotFound,

    /// <summary>The contract is not active (closed contracts take no more measurements).</summary>
    ContractNotActive,

    /// <summary>Another correction of the same point was recorded at the same instant; sending it again is safe.</summary>
    ConcurrentCorrection,

    /// <summary>
    /// The point's current version already holds this very document: nothing is written, since a re-sent line is not
    /// a correction. The id is the current version's.
    /// </summary>
    Unchanged,
}

/// <summary>The outcome of recording one measurement; the id, version and instant when recorded.</summary>
public sealed record Recording(RecordingOutcome Outcome, string? Id, int Version, DateTimeOffset? RecordedAt);
