using System.Globalization;
using System.Text.Json;
using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Diagnostics;
using ConfigurableContracts.Core.Payments;
using ConfigurableContracts.Core.Privacy;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Core.Tenancy;
using ConfigurableContracts.Rules.Evaluation;
using Dapper;

namespace ConfigurableContracts.Core.Outcomes;

/// <summary>How one outcome stands for one provider (or the whole contract when <see cref="ProviderId"/> is null).</summary>
public sealed record OutcomeCounts(string Workflow, string Outcome, string? ProviderId, int Achieved, int NotAchieved, int NotEvaluable, int Error);

/// <summary>Planned measurements whose window has closed without a measurement, per provider and point.</summary>
public sealed record OverdueCount(string ProviderId, string Point, int Overdue);

/// <summary>
/// A cohort rule's current decision for the contract (<see cref="ProviderId"/> null) or one provider, with its output
/// (for the target rule, the share reached) beside the contract's target share.
/// </summary>
public sealed record CohortStanding(string? ProviderId, string Outcome, string Status, decimal? Output, decimal? Target);

/// <summary>Where a contract stands on <see cref="AsOf"/>; <see cref="Final"/> once the contract is closed.</summary>
public sealed record OutcomeReport(string ContractId, DateOnly AsOf, bool Final, IReadOnlyList<OutcomeCounts> Outcomes, IReadOnlyList<OverdueCount> Overdue, IReadOnlyList<CohortStanding> Cohort);

/// <summary>
/// Builds outcome reports within the caller's scope from rows kept up to date as data is written: outcome counts per
/// provider (<see cref="OutcomeCountChanges"/>, written with the decisions), open follow-ups counted per provider,
/// point and closing day (<see cref="OpenFollowUps"/>, brought up to date here first) and the few cohort decisions. A report reads a few
/// indexed rows however many participants the contract has; a commissioner's sums every provider's rows, a
/// provider's reads its own. Every statement carries the request's cancellation and a command time-out.
/// </summary>
public sealed class OutcomeReports(DbConnectionFactory connections, BundleTemplates bundles)
{
    public async Task<OutcomeReport?> ReportAsync(Caller caller, string contractId, DateOnly asOf, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        using var telemetry = ContractsTelemetry.StartReport(contractId);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (!await TenantScope.CanSeeContractAsync(connection, caller, contractId, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        if (await RetainedReports.ReadAsync(connection, caller, contractId, asOf, cancellationToken).ConfigureAwait(false) is { } retained)
        {
            return retained;
        }

        var contract = await connection.QuerySingleAsync<(string Status, string BundleHash, string Parameters)>(RequestCommand.Of(
            "SELECT status, bundle_hash, parameters FROM contracts WHERE id = @contractId", new { contractId }, cancellationToken)).ConfigureAwait(false);
        var template = await bundles.GetAsync(contract.BundleHash, cancellationToken).ConfigureAwait(false);
        var scoped = new { contractId, asOf, CallerOrganisation = caller.OrganisationId };

        var counts = await connection.QueryAsync<(string Workflow, string Outcome, string ProviderId, string Status, int Count)>(RequestCommand.Of(
            $"""
            SELECT r.workflow, r.outcome, r.provider_id, r.status, r.decisions
            FROM report_outcome_counts r
            WHERE r.contract_id = @contractId AND r.decisions > 0 AND {TenantScope.ContractRows(caller, "r")}
            """, scoped, cancellationToken)).ConfigureAwait(false);
        var outcomes = counts.GroupBy(c => (c.Workflow, c.Outcome, c.ProviderId))
            .Select(g => new OutcomeCounts(g.Key.Workflow, g.Key.Outcome, g.Key.ProviderId, Count(g, RuleStatus.Achieved), Count(g, RuleStatus.NotAchieved), Count(g, RuleStatus.NotEvaluable), Count(g, RuleStatus.Error)))
            .OrderBy(o => o.Outcome, StringComparer.Ordinal).ThenBy(o => o.ProviderId, StringComparer.Ordinal).ThenBy(o => o.Workflow, StringComparer.Ordinal).ToList();

        await OpenFollowUps.RefreshAsync(connection, connections.Dialect, contractId, contract.BundleHash, template.MeasurementPlan,
            template.Declared.ParticipantFields?.ExitDate, cancellationToken).ConfigureAwait(false);
        var overdue = (await connection.QueryAsync<(string ProviderId, string Point, int Overdue)>(RequestCommand.Of(
            $"""
            SELECT o.provider_id, o.point, SUM(o.participants)
            FROM report_follow_up_counts o
            WHERE o.contract_id = @contractId AND o.window_end < @asOf AND {TenantScope.ContractRows(caller, "o")}
            GROUP BY o.provider_id, o.point
            HAVING SUM(o.participants) > 0
            """, scoped, cancellationToken)).ConfigureAwait(false))
            .Select(o => new OverdueCount(o.ProviderId, o.Point, o.Overdue))
            .OrderBy(o => o.ProviderId, StringComparer.Ordinal).ThenBy(o => o.Point, StringComparer.Ordinal).ToList();

        var cohortRows = await connection.QueryAsync<(string? ProviderId, string Outcome, string Status, string? ActionOutput)>(RequestCommand.Of(
            $"""
            SELECT d.provider_id, d.outcome, d.status, d.action_output
            FROM decisions d
            WHERE d.contract_id = @contractId AND d.superseded_by IS NULL AND d.participant_id IS NULL AND {TenantScope.ContractRows(caller, "d")}
            """, scoped, cancellationToken)).ConfigureAwait(false);
        using var parameters = JsonDocument.Parse(contract.Parameters);
        var target = PaymentModel.ReadCap(parameters.RootElement, template.Declared.CohortTarget?.TargetShareParameter);
        var cohort = cohortRows
            .Select(r => new CohortStanding(r.ProviderId, r.Outcome, r.Status, decimal.TryParse(r.ActionOutput, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var share) ? share : null, target))
            .OrderBy(c => c.ProviderId ?? "", StringComparer.Ordinal).ThenBy(c => c.Outcome, StringComparer.Ordinal).ToList();

        return new OutcomeReport(contractId, asOf, contract.Status == ContractStatus.Closed, outcomes, overdue, cohort);
    }

    private static int Count(IEnumerable<(string Workflow, string Outcome, string ProviderId, string Status, int Count)> rows, RuleStatus status) =>
        rows.Where(r => r.Status == status.ToString()).Sum(r => r.Count);
}
