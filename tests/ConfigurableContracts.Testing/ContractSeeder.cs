using System.Data.Common;
using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Templates;
using Dapper;

namespace ConfigurableContracts.Testing;

/// <summary>
/// Writes contracts straight to a migrated database, for tests that need one without going through the API (the
/// CLI's database commands, the scheduler, the evaluator). The template bundle is stored the way contract creation
/// stores it — <see cref="TemplateBundleStore"/>, in the transaction that inserts the contract — so a seeded contract
/// is evaluated from exactly the bundle a real one would be.
/// </summary>
/// <remarks>
/// The contract row itself is inserted here rather than by <see cref="ContractStore"/>, whose ids are random: tests
/// name their contracts, and a seeded contract starts in the status it needs (<see cref="SeededContract.Status"/>).
/// </remarks>
public static class ContractSeeder
{
    /// <summary>When seeded rows were created (and seeded contracts activated) unless a test says otherwise.</summary>
    public static readonly DateTimeOffset SeededAt = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The smallest template that evaluates for real: one participant workflow, <c>Count</c>, with one rule,
    /// <c>Enrolled</c> (<c>participant != null</c>), and a baseline measurement point.
    /// </summary>
    public static TemplateVersion TinyTemplate => TinyTemplateFiles.Template.Value;

    /// <summary>
    /// An organisation that commissions and provides a <see cref="TinyTemplate"/> contract (<c>org-{contractId}</c>),
    /// the contract, and <paramref name="participants"/> participants (<c>{contractId}-p{i}</c>, pseudonym <c>P-{i}</c>).
    /// </summary>
    public static async Task AddTinyContractAsync(
        DbConnectionFactory connections, string contractId, int participants, string status = ContractStatus.Active, string? scheduleCron = null)
    {
        ArgumentNullException.ThrowIfNull(connections);
        var organisation = "org-" + contractId;
        var contract = new SeededContract(contractId, organisation, [organisation]) { Status = status, ScheduleCron = scheduleCron };
        await using var connection = await connections.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await AddOrganisationsAsync(connection, transaction, [organisation], contract.At);
        await AddContractAsync(connection, transaction, connections.Dialect, TinyTemplate, contract);
        for (var i = 0; i < participants; i++)
        {
            await AddParticipantAsync(connection, transaction, contractId, organisation, $"{contractId}-p{i}", $"P-{i}", contract.At);
        }

        await transaction.CommitAsync();
    }

    /// <summary>Organisations named by their ids.</summary>
    public static Task AddOrganisationsAsync(DbConnection connection, DbTransaction? transaction, IEnumerable<string> ids, DateTimeOffset at) =>
        connection.ExecuteAsync(
            "INSERT INTO organisations (id, name, created_at) VALUES (@id, @id, @at)", ids.Select(id => new { id, at }), transaction);

    /// <summary>The contract and its providers, with its template's bundle stored as contract creation stores it.</summary>
    public static async Task AddContractAsync(DbConnection connection, DbTransaction transaction, SqlDialect dialect, TemplateVersion template, SeededContract contract)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(contract);
        await TemplateBundleStore.EnsureStoredAsync(connection, transaction, dialect, template, contract.At, CancellationToken.None);
        var activatedAt = contract.Status is ContractStatus.Active or ContractStatus.Closed ? contract.At : (DateTimeOffset?)null;
        var closedAt = contract.Status == ContractStatus.Closed ? contract.At : (DateTimeOffset?)null;
        await connection.ExecuteAsync(
            """
            INSERT INTO contracts (id, commissioner_id, template_id, template_version, bundle_hash, title, parameters, status, row_version,
                created_at, updated_at, activated_at, closed_at, schedule_cron)
            VALUES (@Id, @CommissionerId, @TemplateId, @TemplateVersion, @BundleHash, @Title, @Parameters, @Status, 1,
                @At, @At, @activatedAt, @closedAt, @ScheduleCron)
            """,
            new
            {
                contract.Id, contract.CommissionerId, TemplateId = template.Id, TemplateVersion = template.Version, template.BundleHash,
                contract.Title, contract.Parameters, contract.Status, contract.At, activatedAt, closedAt, contract.ScheduleCron,
            },
            transaction);
        await connection.ExecuteAsync(
            "INSERT INTO contract_providers (contract_id, provider_id) VALUES (@Id, @provider)",
            contract.ProviderIds.Select(provider => new { contract.Id, provider }), transaction);
    }

    /// <summary>A participant with an empty record, enrolled on 2025-09-01.</summary>
    public static Task AddParticipantAsync(
        DbConnection connection, DbTransaction? transaction, string contractId, string providerId, string id, string pseudonym, DateTimeOffset at) =>
        connection.ExecuteAsync(
            """
            INSERT INTO participants (id, contract_id, provider_id, pseudonym, enrolment_date, record, row_version, created_at, created_by, updated_at)
            VALUES (@id, @contractId, @providerId, @pseudonym, @enrolled, '{}', 1, @at, 'seed', @at)
            """, new { id, contractId, providerId, pseudonym, enrolled = new DateOnly(2025, 9, 1), at }, transaction);
}
