using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Outcomes;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Core.Tenancy;
using Dapper;

namespace ConfigurableContracts.Benchmarks.Reports;

/// <summary>
/// The yardstick: the outcome report as it was computed before migration 0010 (commit fba59bb), on every request —
/// current decisions counted with GROUP BY, every participant record parsed for its exit date, every measured point
/// read — kept here only so the benchmark can run it beside the aggregates on the same database. Cohort standings are
/// read as the live report reads them and left out of the comparison.
/// </summary>
internal sealed class CountingReport(DbConnectionFactory connections)
{
    public async Task<(IReadOnlyList<OutcomeCounts> Outcomes, IReadOnlyList<OverdueCount> Overdue)> ReportAsync(
        Caller caller, string contractId, TemplateVersion template, DateOnly asOf)
    {
        await using var connection = await connections.OpenAsync();
        var scope = TenantScope.ContractRows(caller, "d");
        var counts = await connection.QueryAsync<(string Workflow, string Outcome, string? ProviderId, string Status, int Count)>(
            $"""
            SELECT d.workflow, d.outcome, d.provider_id, d.status, COUNT(*)
            FROM decisions d
            WHERE d.contract_id = @contractId AND d.superseded_by IS NULL AND d.participant_id IS NOT NULL AND {scope}
            GROUP BY d.workflow, d.outcome, d.provider_id, d.status
            """, new { contractId, CallerOrganisation = caller.OrganisationId });
        var outcomes = counts.GroupBy(c => (c.Workflow, c.Outcome, c.ProviderId))
            .Select(g => new OutcomeCounts(g.Key.Workflow, g.Key.Outcome, g.Key.ProviderId, Count(g, "Achieved"), Count(g, "NotAchieved"), Count(g, "NotEvaluable"), Count(g, "Error")))
            .OrderBy(o => o.Outcome, StringComparer.Ordinal).ThenBy(o => o.ProviderId, StringComparer.Ordinal).ThenBy(o => o.Workflow, StringComparer.Ordinal).ToList();
        var overdue = await OverdueAsync(connection, caller, contractId, template.MeasurementPlan, template.Declared.ParticipantFields?.ExitDate, asOf);
        return (outcomes, overdue);
    }

    private static async Task<List<OverdueCount>> OverdueAsync(DbConnection connection, Caller caller, string contractId, MeasurementPlan plan, string? exitDateField, DateOnly asOf)
    {
        var participants = await connection.QueryAsync<(string Id, string ProviderId, DateOnly EnrolmentDate, string Record)>(
            $"SELECT p.id, p.provider_id, p.enrolment_date, p.record FROM participants p WHERE p.contract_id = @contractId AND {TenantScope.ContractRows(caller, "p")}",
            new { contractId, CallerOrganisation = caller.OrganisationId });
        var measured = (await connection.QueryAsync<(string ParticipantId, string Point)>(
            $"SELECT DISTINCT m.participant_id, m.point FROM measurements m WHERE m.contract_id = @contractId AND {TenantScope.ContractRows(caller, "m")}",
            new { contractId, CallerOrganisation = caller.OrganisationId })).ToHashSet();
        var overdue = new Dictionary<(string, string), int>();
        foreach (var participant in participants)
        {
            DateOnly? exited = null;
            if (exitDateField is not null)
            {
                using var document = JsonDocument.Parse(participant.Record);
                exited = document.RootElement.TryGetProperty(exitDateField, out var exit) && exit.ValueKind == JsonValueKind.String
                    && DateOnly.TryParseExact(exit.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
            }

            foreach (var point in plan.Points)
            {
                if (measured.Contains((participant.Id, point.Id)) || !point.IsOverdue(participant.EnrolmentDate, asOf)
                    || (exited is { } left && left < point.DueDate(participant.EnrolmentDate)))
                {
                    continue;
                }

                overdue[(participant.ProviderId, point.Id)] = overdue.GetValueOrDefault((participant.ProviderId, point.Id)) + 1;
            }
        }

        return overdue.Select(o => new OverdueCount(o.Key.Item1, o.Key.Item2, o.Value))
            .OrderBy(o => o.ProviderId, StringComparer.Ordinal).ThenBy(o => o.Point, StringComparer.Ordinal).ToList();
    }

    private static int Count(IEnumerable<(string Workflow, string Outcome, string? ProviderId, string Status, int Count)> rows, string status) =>
        rows.Where(r => r.Status == status).Sum(r => r.Count);
}
