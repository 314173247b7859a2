namespace ConfigurableContracts.Core.Decisions;

/// <summary>
/// What one evaluation of a contract did, and where its time went: <see cref="WriteTime"/> in write transactions,
/// <see cref="ReadTime"/> reading participants, measurements and current decisions, <see cref="EvaluateTime"/>
/// building snapshots and evaluating rules (on all cores), <see cref="DecideTime"/> numbering decisions and booking
/// the ledger. Writing overlaps the other three, so the parts add up to more than the run.
/// </summary>
public sealed record EvaluationSummary(
    int Participants,
    int DecisionsWritten,
    int DecisionsUnchanged,
    int LedgerEntriesWritten,
    int Achieved,
    int NotAchieved,
    int NotEvaluable,
    int Errors,
    TimeSpan WriteTime,
    TimeSpan ReadTime = default,
    TimeSpan EvaluateTime = default,
    TimeSpan DecideTime = default);

/// <summary>The contract cannot be evaluated (unknown, or still a draft).</summary>
public sealed class ContractNotEvaluableException : Exception
{
    public ContractNotEvaluableException() { }

    public ContractNotEvaluableException(string message) : base(message) { }

    public ContractNotEvaluableException(string message, Exception innerException) : base(message, innerException) { }
}
