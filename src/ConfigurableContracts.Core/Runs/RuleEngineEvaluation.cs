using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Decisions;

namespace ConfigurableContracts.Core.Runs;

/// <summary>
/// The scheduler's evaluation: runs a contract's template workflows through <see cref="ContractEvaluator"/> as of the
/// Europe/Stockholm date of the run's scheduled instant, so a retried or recovered run decides for the same night.
/// </summary>
public sealed class RuleEngineEvaluation(ContractEvaluator evaluator) : IContractEvaluation
{
    public async Task<EvaluationOutcome> RunAsync(string contractId, EvaluationRun run, IProgress<EvaluationProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(progress);
        var asOf = ContractCalendar.DateOf(run.ScheduledFor);
        var relay = new Relay(p => progress.Report(new EvaluationProgress(p.ParticipantsDone, p.ParticipantsTotal)));
        EvaluationSummary summary;
        try
        {
            summary = await evaluator.EvaluateAsync(contractId, run.Id, asOf, relay, cancellationToken).ConfigureAwait(false);
        }
        catch (ContractNotEvaluableException exception)
        {
            throw new ContractEvaluationException(exception.Message, exception);
        }

        return new EvaluationOutcome(summary.Participants, new Dictionary<string, long>
        {
            ["participants"] = summary.Participants,
            ["decisionsWritten"] = summary.DecisionsWritten,
            ["decisionsUnchanged"] = summary.DecisionsUnchanged,
            ["ledgerEntriesWritten"] = summary.LedgerEntriesWritten,
            ["achieved"] = summary.Achieved,
            ["notAchieved"] = summary.NotAchieved,
            ["notEvaluable"] = summary.NotEvaluable,
            ["errors"] = summary.Errors,
        });
    }

    /// <summary>Reports straight through: <see cref="Progress{T}"/> would post to the thread pool and reorder reports.</summary>
    private sealed class Relay(Action<ConfigurableContracts.Core.Decisions.EvaluationProgress> report) : IProgress<ConfigurableContracts.Core.Decisions.EvaluationProgress>
    {
        public void Report(ConfigurableContracts.Core.Decisions.EvaluationProgress value) => report(value);
    }
}
