// The seam between scheduling and evaluation semantics.
//
// Scheduling (Quartz triggers, run-now, catch-up, the CLI) decides WHEN a contract is evaluated and records
// each run in evaluation_runs; an IContractEvaluation decides WHAT an evaluation does. The runner
// (EvaluationRunner) holds the run's lease, retries transient failures and writes progress; the evaluation
// only has to:
//   - evaluate every participant of the contract named by contractId, as of the run's scheduled instant
//     (run.ScheduledFor; its Europe/Stockholm date is the asOf),
//   - report EvaluationProgress now and then (the runner throttles writes, so reporting per participant is fine),
//   - return the counts of what it wrote (e.g. "decisionsWritten"), which are stored with the run,
//   - be idempotent: a run may be retried or recovered on another instance after a crash, and must then
//     write nothing twice,
//   - throw ContractEvaluationException for a failure whose message is safe to show (no pseudonyms, no data);
//     DbException and TimeoutException are retried with backoff; anything else fails the run with only its
//     type name recorded.
// The product registers ContractEvaluator, which runs the template's workflows (Decisions/).

namespace ConfigurableContracts.Core.Runs;

/// <summary>Evaluates one contract's outcome rules for one run. See the top of this file for the contract.</summary>
public interface IContractEvaluation
{
    Task<EvaluationOutcome> RunAsync(string contractId, EvaluationRun run, IProgress<EvaluationProgress> progress, CancellationToken cancellationToken);
}

/// <summary>
/// How far an evaluation has come: participants done out of the total it will evaluate. Reported once a batch is
/// committed; the run record derives the rate from its start and the last progress write.
/// </summary>
public readonly record struct EvaluationProgress(int ParticipantsDone, int ParticipantsTotal);

/// <summary>What an evaluation wrote, as named counts (e.g. <c>decisionsWritten</c>), stored with the run.</summary>
public sealed record EvaluationOutcome(int ParticipantsTotal, IReadOnlyDictionary<string, long> Counts);

/// <summary>An evaluation failure whose message is written for people and safe to store and show.</summary>
public sealed class ContractEvaluationException : Exception
{
    public ContractEvaluationException()
    {
    }

    public ContractEvaluationException(string message)
        : base(message)
    {
    }

    public ContractEvaluationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
