using ConfigurableContracts.Core.Data;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>A contract as the evaluator needs it.</summary>
internal sealed record ContractRow
{
    public required string Id { get; init; }

    public required string Status { get; init; }

    public required string BundleHash { get; init; }

    public required string Parameters { get; init; }

    /// <summary>When its participant data was removed under retention; null while kept.</summary>
    public DateTimeOffset? RetainedAt { get; init; }
}

/// <summary>A participant as the evaluator needs it.</summary>
internal sealed record ParticipantRow
{
    public required string Id { get; init; }

    public required string ProviderId { get; init; }

    public required string Pseudonym { get; init; }

    public DateOnly EnrolmentDate { get; init; }

    public required string Record { get; init; }
}

/// <summary>One measurement version.</summary>
internal sealed record MeasurementRow
{
    public required string ParticipantId { get; init; }

    public required string Point { get; init; }

    public int Version { get; init; }

    public DateOnly MeasuredOn { get; init; }

    public required string Document { get; init; }
}

/// <summary>The current (not superseded) decision for one outcome of one participant, or of the cohort.</summary>
internal sealed record CurrentDecision
{
    public required string Id { get; init; }

    public string? ParticipantId { get; init; }

    public string? ProviderId { get; init; }

    public required string Workflow { get; init; }

    public required string Outcome { get; init; }

    public required string Status { get; init; }

    public string? ActionOutput { get; init; }

    public required string DataHash { get; init; }
}

/// <summary>A decision row as written, with the current decision it supersedes (if any).</summary>
internal sealed record DecisionRow(
    string Id,
    long Sequence,
    string ContractId,
    string? ParticipantId,
    string? ProviderId,
    string Workflow,
    string Outcome,
    string? MeasurementPoint,
    string Status,
    string? ActionOutput,
    Utf8Text ResultTree,
    string BundleHash,
    string EngineVersion,
    string InputHash,
    string DataHash,
    DateOnly AsOf,
    string RunId,
    DateTimeOffset DecidedAt,
    CurrentDecision? Replaces);

/// <summary>A ledger entry as written.</summary>
internal sealed record LedgerRow(
    string Id,
    long Sequence,
    string ContractId,
    string ProviderId,
    string? ParticipantId,
    string DecisionId,
    string Kind,
    string EntryType,
    string? CorrectsEntryId,
    string Period,
    decimal RequestedAmount,
    decimal Amount,
    string? CapNote,
    string Currency,
    string RunId,
    DateTimeOffset CreatedAt);

/// <summary>A charge not yet reversed: what a participant is currently paid for one payment kind.</summary>
internal sealed record ActiveCharge
{
    public required string Id { get; init; }

    public required string ParticipantId { get; init; }

    public required string Kind { get; init; }

    public decimal RequestedAmount { get; init; }

    public decimal Amount { get; init; }
}
