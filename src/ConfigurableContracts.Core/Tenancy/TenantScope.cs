using System.Data.Common;
using ConfigurableContracts.Core.Security;
using Dapper;

namespace ConfigurableContracts.Core.Tenancy;

/// <summary>
/// The one owner of tenant scoping: which rows a <see cref="Caller"/> may touch, written once as SQL predicates that
/// every store and report puts in its WHERE clause. A commissioner (and its auditor) reaches what its organisation
/// commissions, a provider the contracts that name it and, inside them, only its own rows; anyone else (admin,
/// designer) no contract data at all. Every predicate binds the caller's organisation to <see cref="Parameter"/>,
/// and the fragments are constants chosen by role and alias, never built from input. Keeping them here means a
/// change to who may see what is made, and reviewed, in one place rather than in every statement.
/// </summary>
public static class TenantScope
{
    /// <summary>The name of the parameter every scoped statement binds to <see cref="Caller.OrganisationId"/>.</summary>
    public const string ParameterName = "CallerOrganisation";

    /// <summary><see cref="ParameterName"/> as it is written in SQL.</summary>
    public const string Parameter = "@" + ParameterName;

    /// <summary>The predicate that matches no row, for a role that sees no contract data.</summary>
    private const string Nothing = "1 = 0";

    /// <summary>
    /// The contracts the caller can see (over <paramref name="contractAlias"/>, an alias of <c>contracts</c>): those
    /// its organisation commissions (commissioner, auditor) or delivers under (provider).
    /// </summary>
    public static string Contracts(Caller caller, string contractAlias)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller switch
        {
            { ReadsAsCommissioner: true } => Commissions(contractAlias),
            { IsProvider: true } => $"EXISTS (SELECT 1 FROM contract_providers s WHERE s.contract_id = {contractAlias}.id AND {Delivers("s")})",
            _ => Nothing,
        };
    }

    /// <summary>
    /// The rows of a contract's data the caller can see (over <paramref name="rowAlias"/>, an alias of any table with
    /// <c>contract_id</c> and <c>provider_id</c>: participants, measurements, decisions, ledger entries): a provider
    /// its own rows only (so not a contract-wide row, whose provider is null), a commissioner or auditor every row
    /// of the contracts its organisation commissions.
    /// </summary>
    public static string ContractRows(Caller caller, string rowAlias)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller switch
        {
            { IsProvider: true } => Delivers(rowAlias),
            { ReadsAsCommissioner: true } => $"EXISTS (SELECT 1 FROM contracts s WHERE s.id = {rowAlias}.contract_id AND {Commissions("s")})",
            _ => Nothing,
        };
    }

    /// <summary>
    /// The caller's organisation commissions the contract (over <paramref name="contractAlias"/>). On its own it is
    /// the write scope of a commissioner: the store checks the role before using it.
    /// </summary>
    public static string Commissions(string contractAlias) => $"{contractAlias}.commissioner_id = {Parameter}";

    /// <summary>
    /// The caller's organisation is the row's provider (over <paramref name="rowAlias"/>, any table with
    /// <c>provider_id</c>, <c>contract_providers</c> included). On its own it is the write scope of a provider: the
    /// store checks the role before using it.
    /// </summary>
    public static string Delivers(string rowAlias) => $"{rowAlias}.provider_id = {Parameter}";

    /// <summary>
    /// The audit entries the caller can read (over <paramref name="entryAlias"/>, an alias of <c>audit_log</c>), or
    /// null for an admin, who reads every entry. Anyone else reads the entries about contracts its organisation
    /// commissions and its own organisation's entries that name no contract: an entry about a contract never
    /// reaches an organisation that does not commission it, even one whose member made the request.
    /// </summary>
    public static string? AuditEntries(Caller caller, string entryAlias)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.Role == Roles.Admin
            ? null
            : $"({entryAlias}.contract_id IN (SELECT c.id FROM contracts c WHERE {Commissions("c")}) " +
              $"OR ({entryAlias}.contract_id IS NULL AND {entryAlias}.organisation_id = {Parameter}))";
    }

    /// <summary>
    /// Whether the caller can see the contract at all (<see cref="Contracts"/>): what every read about one contract
    /// asks first, so a contract of another organisation answers exactly as one that does not exist.
    /// </summary>
    public static async Task<bool> CanSeeContractAsync(DbConnection connection, Caller caller, string contractId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(caller);
        return await connection.ExecuteScalarAsync<int>(Data.RequestCommand.Of(
            $"SELECT COUNT(*) FROM contracts c WHERE c.id = @contractId AND {Contracts(caller, "c")}",
            new { contractId, CallerOrganisation = caller.OrganisationId },
            cancellationToken)).ConfigureAwait(false) > 0;
    }

    /// <summary>
    /// <see cref="ContractRows"/> for rows already read from a contract the caller can see (a stored report): a
    /// provider keeps the rows of its own organisation, a commissioner or auditor every row.
    /// </summary>
    public static bool KeepsRowOf(Caller caller, string? providerId)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return !caller.IsProvider || providerId == caller.OrganisationId;
    }
}
