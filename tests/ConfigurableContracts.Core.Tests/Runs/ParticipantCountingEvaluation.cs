using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Runs;
using Dapper;

namespace ConfigurableContracts.Core.Tests.Runs;

/// <summary>
/// A scheduling-only evaluation for the runner's tests: it walks the contract's participants, reports progress for
/// each, and writes no decisions, so run records, leases and retries are tested apart from rule semantics.
/// </summary>
internal sealed class ParticipantCountingEvaluation(DbConnectionFactory connections) : IContractEvaluation
{
    public async Task<EvaluationOutcome> RunAsync(string contractId, EvaluationRun run, IProgress<EvaluationProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var ids = (await connection.QueryAsync<string>(
            new CommandDefinition("SELECT id FROM participants WHERE contract_id = @contractId ORDER BY id", new { contractId }, cancellationToken: cancellationToken))
            .ConfigureAwait(false)).ToList();
        progress.Report(new EvaluationProgress(0, ids.Count));
        for (var done = 1; done <= ids.Count; done++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress.Report(new EvaluationProgress(done, ids.Count));
        }

        return new EvaluationOutcome(ids.Count, new Dictionary<string, long>
        {
            ["participantsSeen"] = ids.Count,
            ["decisionsWritten"] = 0,
        });
    }
}
