using System.Data.Common;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Core.Tenancy;
using Dapper;

namespace ConfigurableContracts.Core.Contracts;

/// <summary>
/// Contracts, always seen through a <see cref="Caller"/>: a commissioner (or its auditor) sees the contracts its
/// organisation commissions, a provider those that name it, anyone else none. The scope is part of every
/// statement's WHERE clause, so an id guessed from another organisation finds nothing.
/// </summary>
public sealed class ContractStore(DbConnectionFactory connections, TimeProvider time)
{
    private const string Columns =
        """
        c.id AS Id, c.commissioner_id AS CommissionerId, c.template_id AS TemplateId, c.template_version AS TemplateVersion,
        c.bundle_hash AS BundleHash, c.title AS Title, c.parameters AS Parameters, c.status AS Status, c.row_version AS RowVersion,
        c.created_at AS CreatedAt, c.updated_at AS UpdatedAt, c.activated_at AS ActivatedAt, c.closed_at AS ClosedAt
        """;

    /// <summary>
    /// Creates a draft contract commissioned by the caller's organisation, storing the template bundle the first
    /// time it is used. The providers must be existing organisations.
    /// </summary>
    public async Task<Contract> CreateAsync(
        Caller caller, TemplateVersion template, string title, string parameters, IReadOnlyList<string> providerIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(providerIds);
        if (caller.Role != Roles.Commissioner)
        {
            throw new UnauthorizedAccessException($"Only a commissioner creates contracts; the caller is {caller.Role}.");
        }

        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7().ToString("N");
        var providers = providerIds.Distinct(StringComparer.Ordinal).ToList();
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await TemplateBundleStore.EnsureStoredAsync(connection, transaction, connections.Dialect, template, now, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO contracts (id, commissioner_id, template_id, template_version, bundle_hash, title, parameters, status, row_version, created_at, updated_at)
            VALUES (@Id, @Commissioner, @TemplateId, @TemplateVersion, @BundleHash, @Title, @Parameters, 'draft', 1, @Now, @Now)
            """,
            new
            {
                Id = id,
                Commissioner = caller.OrganisationId,
                TemplateId = template.Id,
                TemplateVersion = template.Version,
                template.BundleHash,
                Title = title,
                Parameters = parameters,
                Now = now,
            },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await InsertProvidersAsync(connection, transaction, id, providers, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new Contract(id, caller.OrganisationId, template.Id, template.Version, template.BundleHash, title, parameters,
            ContractStatus.Draft, 1, providers, now, now, null, null);
    }

    public async Task<Contract?> GetAsync(Caller caller, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await GetAsync(connection, connections.Dialect, caller, id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The contracts in the caller's scope, optionally of one status, oldest first.</summary>
    public async Task<IReadOnlyList<Contract>> ListAsync(
        Caller caller, string? status = null, int limit = 100, int offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var statusFilter = status is null ? "" : "AND c.status = @status";
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<ContractRow>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM contracts c
            WHERE {TenantScope.Contracts(caller, "c")} {statusFilter}
            ORDER BY c.created_at, c.id
            {connections.Dialect.Page("@limit", "@offset")}
            """,
            new { CallerOrganisation = caller.OrganisationId, status, limit, offset },
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        return await WithProvidersAsync(connection, connections.Dialect, rows, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces a draft's title, parameters and providers, if <paramref name="expectedRowVersion"/> is still current.
    /// The template version stays pinned.
    /// </summary>
    public async Task<ContractChange> UpdateDraftAsync(
        Caller caller, string id, int expectedRowVersion, string title, string parameters, IReadOnlyList<string> providerIds,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(providerIds);
        if (caller.Role != Roles.Commissioner)
        {
            return new ContractChange(ContractChangeOutcome.NotFound, null);
        }

        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE contracts SET title = @title, parameters = @parameters, row_version = row_version + 1, updated_at = @now
            WHERE id = @id AND {TenantScope.Commissions("contracts")} AND status = 'draft' AND row_version = @expectedRowVersion
            """,
            new { id, title, parameters, now = time.GetUtcNow(), CallerOrganisation = caller.OrganisationId, expectedRowVersion },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (updated == 0)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return await WhyUnchangedAsync(connection, caller, id, ContractStatus.Draft, cancellationToken).ConfigureAwait(false);
        }

        // A draft has no participants yet, so its provider list can be replaced wholesale.
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM contract_providers WHERE contract_id = @id", new { id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await InsertProvidersAsync(connection, transaction, id, providerIds.Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ContractChange(ContractChangeOutcome.Done, await GetAsync(connection, connections.Dialect, caller, id, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Draft → active: from now on its providers enrol participants and record measurements.</summary>
    public Task<ContractChange> ActivateAsync(Caller caller, string id, int? expectedRowVersion, CancellationToken cancellationToken = default) =>
        MoveAsync(caller, id, ContractStatus.Draft, ContractStatus.Active, "activated_at", expectedRowVersion, cancellationToken);

    /// <summary>Active → closed: no more enrolments or measurements; everything stays readable.</summary>
    public Task<ContractChange> CloseAsync(Caller caller, string id, int? expectedRowVersion, CancellationToken cancellationToken = default) =>
        MoveAsync(caller, id, ContractStatus.Active, ContractStatus.Closed, "closed_at", expectedRowVersion, cancellationToken);

    /// <summary>Whether the caller can see the contract, without reading it.</summary>
    public async Task<bool> CanSeeAsync(Caller caller, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await TenantScope.CanSeeContractAsync(connection, caller, id, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ContractChange> MoveAsync(
        Caller caller, string id, string from, string to, string stampColumn, int? expectedRowVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Role != Roles.Commissioner)
        {
            return new ContractChange(ContractChangeOutcome.NotFound, null);
        }

        var versionCheck = expectedRowVersion is null ? "" : "AND row_version = @expectedRowVersion";
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE contracts SET status = @to, {stampColumn} = @now, updated_at = @now, row_version = row_version + 1
            WHERE id = @id AND {TenantScope.Commissions("contracts")} AND status = @from {versionCheck}
            """,
            new { id, from, to, now = time.GetUtcNow(), CallerOrganisation = caller.OrganisationId, expectedRowVersion },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return updated == 0
            ? await WhyUnchangedAsync(connection, caller, id, from, cancellationToken).ConfigureAwait(false)
            : new ContractChange(ContractChangeOutcome.Done, await GetAsync(connection, connections.Dialect, caller, id, cancellationToken).ConfigureAwait(false));
    }

    private async Task<ContractChange> WhyUnchangedAsync(DbConnection connection, Caller caller, string id, string neededStatus, CancellationToken cancellationToken)
    {
        var current = await GetAsync(connection, connections.Dialect, caller, id, cancellationToken).ConfigureAwait(false);
        var outcome = current is null ? ContractChangeOutcome.NotFound
            : current.Status != neededStatus ? ContractChangeOutcome.WrongStatus
            : ContractChangeOutcome.Stale;
        return new ContractChange(outcome, current);
    }

    private static async Task<Contract?> GetAsync(DbConnection connection, SqlDialect dialect, Caller caller, string id, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<ContractRow>(new CommandDefinition(
            $"SELECT {Columns} FROM contracts c WHERE c.id = @id AND {TenantScope.Contracts(caller, "c")}",
            new { id, CallerOrganisation = caller.OrganisationId },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : (await WithProvidersAsync(connection, dialect, [row], cancellationToken).ConfigureAwait(false))[0];
    }

    private static async Task<IReadOnlyList<Contract>> WithProvidersAsync(DbConnection connection, SqlDialect dialect, List<ContractRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var links = await connection.QueryAsync<(string ContractId, string ProviderId)>(new CommandDefinition(
            $"SELECT contract_id, provider_id FROM contract_providers WHERE {dialect.InList("contract_id", "@ids")} ORDER BY provider_id",
            new { ids = rows.Select(r => r.Id).ToArray() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var byContract = links.ToLookup(l => l.ContractId, l => l.ProviderId, StringComparer.Ordinal);
        return rows.Select(r => r.ToContract([.. byContract[r.Id]])).ToList();
    }

    private static Task<int> InsertProvidersAsync(
        DbConnection connection, DbTransaction transaction, string contractId, IReadOnlyList<string> providerIds, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO contract_providers (contract_id, provider_id) VALUES (@contractId, @providerId)",
            providerIds.Select(providerId => new { contractId, providerId }).ToArray(),
            transaction,
            cancellationToken: cancellationToken));

    private sealed class ContractRow
    {
        public string Id { get; set; } = "";

        public string CommissionerId { get; set; } = "";

        public string TemplateId { get; set; } = "";

        public string TemplateVersion { get; set; } = "";

        public string BundleHash { get; set; } = "";

        public string Title { get; set; } = "";

        public string Parameters { get; set; } = "";

        public string Status { get; set; } = "";

        public int RowVersion { get; set; }

        public DateTimeOffset CreatedAt { get; set; }

        public DateTimeOffset UpdatedAt { get; set; }

        public DateTimeOffset? ActivatedAt { get; set; }

        public DateTimeOffset? ClosedAt { get; set; }

        public Contract ToContract(IReadOnlyList<string> providerIds) => new(
            Id, CommissionerId, TemplateId, TemplateVersion, BundleHash, Title, Parameters, Status, RowVersion, providerIds,
            CreatedAt, UpdatedAt, ActivatedAt, ClosedAt);
    }
}
