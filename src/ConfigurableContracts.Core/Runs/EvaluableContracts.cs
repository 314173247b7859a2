using ConfigurableContracts.Core.Data;
using Dapper;

namespace ConfigurableContracts.Core.Runs;

/// <summary>An active contract as scheduling sees it: its id, its own cron (if any) and when it became active.</summary>
public sealed record EvaluableContract(string Id, string? ScheduleCron, DateTimeOffset? ActivatedAt);

/// <summary>Which contracts are evaluated: the active ones, read straight from <c>contracts</c>.</summary>
public sealed class EvaluableContracts(DbConnectionFactory connections)
{
    private const string Select = "SELECT id AS Id, schedule_cron AS ScheduleCron, activated_at AS ActivatedAt FROM contracts WHERE status = 'active'";

    public async Task<IReadOnlyList<EvaluableContract>> ListActiveAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QueryAsync<EvaluableContract>(Select + " ORDER BY id").ConfigureAwait(false)).ToList();
    }

    public async Task<EvaluableContract?> FindActiveAsync(string contractId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<EvaluableContract>(Select + " AND id = @contractId", new { contractId }).ConfigureAwait(false);
    }
}
