namespace ConfigurableContracts.Core.Evaluation;

/// <summary>How far a run is: participants done of the total, and the rate over the run so far.</summary>
public sealed record EvaluationProgress(int ParticipantsDone, int ParticipantsTotal, double ParticipantsPerSecond);

/// <summary>What one evaluation of a contract did; <see cref="WriteTime"/> is the time spent in write transactions.</summary>
public sealed record EvaluationSummary(
    int Participants,
    int DecisionsWritten,
    int DecisionsUnchanged,
    int LedgerEntriesWritten,
    int Achieved,
    int NotAchieved,
    int NotEvaluable,
    int Errors,
    TimeSpan WriteTime);

/// <summary>The contract cannot be evaluated (unknown, or still a draft).</summary>
public sealed class ContractNotEvaluableException : Exception
{
    public ContractNotEvaluableException() { }

    public ContractNotEvaluableException(string message) : base(message) { }

    public ContractNotEvaluableException(string message, Exception innerException) : base(message, innerException) { }
}
