using System.Data.Common;
using System.Text.Json;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Outcomes;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Tenancy;
using Dapper;

namespace ConfigurableContracts.Core.Privacy;

/// <summary>
/// The outcome report a contract had when its participant data was removed. It is stored whole, as the
/// commissioner saw it; a provider is shown its own rows of it, which is exactly what its live report showed.
/// </summary>
internal static class RetainedReports
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize(OutcomeReport report) => JsonSerializer.Serialize(report, Options);

    /// <summary>The stored report in the caller's scope, as of <paramref name="asOf"/>; null while the contract is not retained.</summary>
    public static async Task<OutcomeReport?> ReadAsync(DbConnection connection, Caller caller, string contractId, DateOnly asOf, CancellationToken cancellationToken)
    {
        var text = await connection.QuerySingleOrDefaultAsync<string>(RequestCommand.Of(
            "SELECT report FROM retained_reports WHERE contract_id = @contractId", new { contractId }, cancellationToken)).ConfigureAwait(false);
        if (text is null)
        {
            return null;
        }

        var report = JsonSerializer.Deserialize<OutcomeReport>(text, Options)!;

        // A retained contract is closed and takes no more measurements, and its windows closed years ago: the
        // stored figures are final, whatever date is asked for.
        report = report with { AsOf = asOf, Final = true };
        return report with
        {
            Outcomes = report.Outcomes.Where(o => TenantScope.KeepsRowOf(caller, o.ProviderId)).ToList(),
            Overdue = report.Overdue.Where(o => TenantScope.KeepsRowOf(caller, o.ProviderId)).ToList(),
            Cohort = report.Cohort.Where(c => TenantScope.KeepsRowOf(caller, c.ProviderId)).ToList(),
        };
    }
}
