using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Tenancy;
using Dapper;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>A decision as callers read it.</summary>
public sealed record Decision
{
    public required string Id { get; init; }

    /// <summary>The decision's place in its contract's order of decisions; what listing pages by.</summary>
    public long Sequence { get; init; }

    public required string ContractId { get; init; }

    public string? ParticipantId { get; init; }

    public string? Pseudonym { get; init; }

    public string? ProviderId { get; init; }

    public required string Workflow { get; init; }

    public required string Outcome { get; init; }

    public string? MeasurementPoint { get; init; }

    public required string Status { get; init; }

    public string? ActionOutput { get; init; }

    public required string ResultTree { get; init; }

    public required string BundleHash { get; init; }

    public required string EngineVersion { get; init; }

    public required string InputHash { get; init; }

    public DateOnly AsOf { get; init; }

    public required string RunId { get; init; }

    public DateTimeOffset DecidedAt { get; init; }

    public string? SupersededBy { get; init; }
}

/// <summary>Filters for listing a contract's decisions.</summary>
public sealed record DecisionQuery(string? ParticipantPseudonym = null, string? Outcome = null, bool CurrentOnly = true, long AfterSequence = 0, int Limit = 500);

/// <summary>
/// Reads decisions within the caller's scope, in SQL: a commissioner or auditor sees its own contracts' decisions, a
/// provider only those about its own participants and its own cohort; anyone else sees nothing, whatever id it guesses.
/// </summary>
public sealed class DecisionStore(DbConnectionFactory connections)
{
    private const string Select = """
        SELECT d.id AS Id, d.sequence AS Sequence, d.contract_id AS ContractId, d.participant_id AS ParticipantId, p.pseudonym AS Pseudonym, d.provider_id AS ProviderId,
               d.workflow AS Workflow, d.outcome AS Outcome, d.measurement_point AS MeasurementPoint, d.status AS Status,
               d.action_output AS ActionOutput, d.result_tree AS ResultTree, d.bundle_hash AS BundleHash, d.engine_version AS EngineVersion,
               d.input_hash AS InputHash, d.as_of AS AsOf, d.run_id AS RunId, d.decided_at AS DecidedAt, d.superseded_by AS SupersededBy
        FROM decisions d
        LEFT JOIN participants p ON p.id = d.participant_id
        """;

    public async Task<Decision?> GetAsync(Caller caller, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<Decision>(RequestCommand.Of(
            $"{Select} WHERE d.id = @id AND {TenantScope.ContractRows(caller, "d")}", new { id, CallerOrganisation = caller.OrganisationId }, cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Decision>> ListAsync(Caller caller, string contractId, DecisionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(query);
        var filters = new List<string> { "d.contract_id = @contractId", "d.sequence > @AfterSequence", TenantScope.ContractRows(caller, "d") };
        if (query.CurrentOnly)
        {
            filters.Add("d.superseded_by IS NULL");
        }

        if (query.ParticipantPseudonym is not null)
        {
            filters.Add("p.pseudonym = @ParticipantPseudonym");
        }

        if (query.Outcome is not null)
        {
            filters.Add("d.outcome = @Outcome");
        }

        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        // A page of one contract's decisions after a sequence number (ix_decisions_contract_sequence), at most 5 000.
        var rows = await connection.QueryAsync<Decision>(RequestCommand.Of(
            $"{Select} WHERE {string.Join(" AND ", filters)} ORDER BY d.sequence {connections.Dialect.Page("@Limit", "0")}",
            new { contractId, query.AfterSequence, query.ParticipantPseudonym, query.Outcome, Limit = Math.Clamp(query.Limit, 1, 5000), CallerOrganisation = caller.OrganisationId },
            cancellationToken)).ConfigureAwait(false);
        return rows.AsList();
    }
}
