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

/// <summary>Builds outcome reports from current decisions and the measurement plan, within the caller's scope.</summary>
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

        if (await RetainedReports.ReadAsync(connection, caller, contractId, asOf).ConfigureAwait(false) is { } retained)
        {
            return retained;
        }

        var contract = await connection.QuerySingleAsync<(string Status, string BundleHash, string Parameters)>(
            "SELECT status, bundle_hash, parameters FROM contracts WHERE id = @contractId", new { contractId }).ConfigureAwait(false);
        var template = await bundles.GetAsync(contract.BundleHash, cancellationToken).ConfigureAwait(false);
        var scope = TenantScope.ContractRows(caller, "d");

        var counts = await connection.QueryAsync<(string Workflow, string Outcome, string? ProviderId, string Status, int Count)>(
            $"""
            SELECT d.workflow, d.outcome, d.provider_id, d.status, COUNT(*)
            FROM decisions d
            WHERE d.contract_id = @contractId AND d.superseded_by IS NULL AND d.participant_id IS NOT NULL AND {scope}
            GROUP BY d.workflow, d.outcome, d.provider_id, d.status
            """, new { contractId, CallerOrganisation = caller.OrganisationId }).ConfigureAwait(false);
        var outcomes = counts.GroupBy(c => (c.Workflow, c.Outcome, c.ProviderId))
            .Select(g => new OutcomeCounts(g.Key.Workflow, g.Key.Outcome, g.Key.ProviderId, Count(g, RuleStatus.Achieved), Count(g, RuleStatus.NotAchieved), Count(g, RuleStatus.NotEvaluable), Count(g, RuleStatus.Error)))
            .OrderBy(o => o.Outcome, StringComparer.Ordinal).ThenBy(o => o.ProviderId, StringComparer.Ordinal).ToList();

        var overdue = await OverdueAsync(connection, caller, contractId, template.MeasurementPlan, template.Declared.ParticipantFields?.ExitDate, asOf).ConfigureAwait(false);

        var cohortRows = await connection.QueryAsync<(string? ProviderId, string Outcome, string Status, string? ActionOutput)>(
            $"""
            SELECT d.provider_id, d.outcome, d.status, d.action_output
            FROM decisions d
            WHERE d.contract_id = @contractId AND d.superseded_by IS NULL AND d.participant_id IS NULL AND {scope}
            """, new { contractId, CallerOrganisation = caller.OrganisationId }).ConfigureAwait(false);
        using var parameters = JsonDocument.Parse(contract.Parameters);
        var target = PaymentModel.ReadCap(parameters.RootElement, template.Declared.CohortTarget?.TargetShareParameter);
        var cohort = cohortRows
            .Select(r => new CohortStanding(r.ProviderId, r.Outcome, r.Status, decimal.TryParse(r.ActionOutput, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var share) ? share : null, target))
            .OrderBy(c => c.ProviderId ?? "", StringComparer.Ordinal).ThenBy(c => c.Outcome, StringComparer.Ordinal).ToList();

        return new OutcomeReport(contractId, asOf, contract.Status == ContractStatus.Closed, outcomes, overdue, cohort);
    }

    private static async Task<List<OverdueCount>> OverdueAsync(
        System.Data.Common.DbConnection connection, Caller caller, string contractId, Templates.MeasurementPlan plan, string? exitDateField, DateOnly asOf)
    {
        var participants = await connection.QueryAsync<(string Id, string ProviderId, DateOnly EnrolmentDate, string Record)>(
            $"SELECT p.id, p.provider_id, p.enrolment_date, p.record FROM participants p WHERE p.contract_id = @contractId AND {TenantScope.ContractRows(caller, "p")}",
            new { contractId, CallerOrganisation = caller.OrganisationId }).ConfigureAwait(false);
        var measured = (await connection.QueryAsync<(string ParticipantId, string Point)>(
            $"SELECT DISTINCT m.participant_id, m.point FROM measurements m WHERE m.contract_id = @contractId AND {TenantScope.ContractRows(caller, "m")}",
            new { contractId, CallerOrganisation = caller.OrganisationId }).ConfigureAwait(false)).ToHashSet();
        var overdue = new Dictionary<(string, string), int>();
        foreach (var participant in participants)
        {
            var exited = exitDateField is null ? null : ExitDate(participant.Record, exitDateField);
            foreach (var point in plan.Points)
            {
                // A participant who left before a point was due is not overdue for it.
                if (measured.Contains((participant.Id, point.Id)) || !point.IsOverdue(participant.EnrolmentDate, asOf)
                    || (exited is { } exit && exit < point.DueDate(participant.EnrolmentDate)))
                {
                    continue;
                }

                overdue[(participant.ProviderId, point.Id)] = overdue.GetValueOrDefault((participant.ProviderId, point.Id)) + 1;
            }
        }

        return overdue.Select(o => new OverdueCount(o.Key.Item1, o.Key.Item2, o.Value))
            .OrderBy(o => o.ProviderId, StringComparer.Ordinal).ThenBy(o => o.Point, StringComparer.Ordinal).ToList();
    }

    /// <summary>The participant's exit date, from the field the template's participantFields.exitDate names.</summary>
    private static DateOnly? ExitDate(string record, string field)
    {
        using var document = JsonDocument.Parse(record);
        return document.RootElement.TryGetProperty(field, out var exit) && exit.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(exit.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
    }

    private static int Count(IEnumerable<(string Workflow, string Outcome, string? ProviderId, string Status, int Count)> rows, RuleStatus status) =>
        rows.Where(r => r.Status == status.ToString()).Sum(r => r.Count);
}
