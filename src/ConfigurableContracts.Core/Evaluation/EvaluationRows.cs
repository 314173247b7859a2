namespace ConfigurableContracts.Core.Evaluation;

/// <summary>A contract as the evaluator needs it.</summary>
internal sealed record ContractRow(string Id, string Status, string BundleHash, string Parameters);

/// <summary>A participant as the evaluator needs it.</summary>
internal sealed record ParticipantRow(string Id, string ProviderId, string Pseudonym, DateOnly EnrolmentDate, string Record);

/// <summary>One measurement version.</summary>
internal sealed record MeasurementRow(string ParticipantId, string Point, int Version, DateOnly MeasuredOn, string Document);

/// <summary>The current (not superseded) decision for one outcome of one participant, or of the cohort.</summary>
internal sealed record CurrentDecision(string Id, string? ParticipantId, string? ProviderId, string Workflow, string Outcome, string Status, string? ActionOutput, string DataHash);

/// <summary>A decision row as written.</summary>
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
    string ResultTree,
    string BundleHash,
    string EngineVersion,
    string InputHash,
    string DataHash,
    DateOnly AsOf,
    string RunId,
    DateTimeOffset DecidedAt,
    string? Supersedes);

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
internal sealed record ActiveCharge(string Id, string ParticipantId, string Kind, decimal RequestedAmount, decimal Amount);
