using System.Data.Common;
using ConfigurableContracts.Core.Data;
using Dapper;

namespace ConfigurableContracts.Core.Outcomes;

/// <summary>
/// What one write of decisions does to <c>report_outcome_counts</c>: +1 for each participant decision it inserted,
/// −1 for each it superseded, summed per row and applied in the same transaction. Only statements that changed a
/// row count (an insert of a decision already written, or a supersession already made, by a batch committed before a
/// crash changes nothing), so the counts stay equal to the current decisions after retries and kills.
/// </summary>
internal sealed class OutcomeCountChanges
{
    private readonly Dictionary<(string ContractId, string ProviderId, string Workflow, string Outcome, string Status), int> _changes = [];

    /// <summary>Counts a participant decision in (<paramref name="change"/> 1) or out (−1); cohort decisions are not counted here.</summary>
    public void Add(string contractId, string? participantId, string? providerId, string workflow, string outcome, string status, int change)
    {
        if (participantId is null || providerId is null)
        {
            return;
        }

        var key = (contractId, providerId, workflow, outcome, status);
        _changes[key] = _changes.GetValueOrDefault(key) + change;
    }

    public async Task WriteAsync(DbConnection connection, DbTransaction transaction, SqlDialect dialect, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        var rows = _changes.Where(c => c.Value != 0)
            .Select(c => new { c.Key.ContractId, c.Key.ProviderId, c.Key.Workflow, c.Key.Outcome, c.Key.Status, Change = c.Value })
            .ToList();
        if (rows.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(UpsertSql(dialect), rows, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    private static string UpsertSql(SqlDialect dialect) =>
        ReportCounts.AddSql(dialect, "report_outcome_counts", ["contract_id", "provider_id", "workflow", "outcome", "status"], "decisions");
}
