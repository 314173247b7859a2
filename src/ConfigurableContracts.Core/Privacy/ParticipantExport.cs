using System.Text.Json;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Measurements;
using ConfigurableContracts.Core.Participants;
using ConfigurableContracts.Core.Payments;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Tenancy;
using Dapper;

namespace ConfigurableContracts.Core.Privacy;

/// <summary>One decision about the participant, with the input snapshot it was made from (null when removed).</summary>
public sealed record ExportedDecision(Decision Decision, string? InputSnapshot);

/// <summary>
/// A cohort decision whose input named the participant: the participant's own member entry of that input, never
/// the other members'.
/// </summary>
public sealed record ExportedCohortMembership(string DecisionId, string Workflow, string Outcome, string? ProviderId, string Status, DateOnly AsOf, string Member);

/// <summary>Everything stored about one pseudonym of one contract, for a data subject request.</summary>
/// <param name="Participant">The participant record as it stands; corrections replace it, so earlier records are not stored.</param>
/// <param name="Measurements">Every version of every measurement, oldest first within a point.</param>
/// <param name="Decisions">Every decision about the participant, superseded ones included, in decision order.</param>
/// <param name="CohortMemberships">Cohort decisions whose input listed the participant.</param>
/// <param name="Ledger">Every payment ledger entry traced to the participant.</param>
/// <param name="Audit">Every audit entry of this contract that names the pseudonym.</param>
public sealed record ParticipantExportData(
    Participant Participant,
    IReadOnlyList<Measurement> Measurements,
    IReadOnlyList<ExportedDecision> Decisions,
    IReadOnlyList<ExportedCohortMembership> CohortMemberships,
    IReadOnlyList<LedgerEntry> Ledger,
    IReadOnlyList<AuditRecord> Audit);

/// <summary>
/// Collects everything stored about one pseudonym for the commissioner (the controller) or its auditor. Every read
/// is scoped in SQL to the caller's organisation through the stores' own scopes: another organisation's pseudonym
/// is simply not found.
/// </summary>
public sealed class ParticipantExport(
    DbConnectionFactory connections, ParticipantStore participants, MeasurementStore measurements, DecisionStore decisions, AuditLog audit)
{
    private const int Page = 5000;

    public async Task<ParticipantExportData?> ExportAsync(Caller caller, string contractId, string pseudonym, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.ReadsAsCommissioner)
        {
            return null;
        }

        var participant = await participants.FindAsync(caller, contractId, pseudonym, cancellationToken).ConfigureAwait(false);
        if (participant is null)
        {
            return null;
        }

        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var history = await measurements.HistoryAsync(caller, contractId, participant.Id, cancellationToken).ConfigureAwait(false);
        var own = await AllDecisionsAsync(caller, contractId, pseudonym, cancellationToken).ConfigureAwait(false);
        var snapshots = await SnapshotsAsync(connection, own.Select(d => d.InputHash)).ConfigureAwait(false);
        var exported = own.Select(d => new ExportedDecision(d, Kept(snapshots.GetValueOrDefault(d.InputHash)))).ToList();
        var cohort = await CohortMembershipsAsync(connection, caller, contractId, pseudonym, cancellationToken).ConfigureAwait(false);
        var ledger = (await connection.QueryAsync<LedgerEntry>(new CommandDefinition(
            $"""
            SELECT l.id AS Id, l.sequence AS Sequence, l.provider_id AS ProviderId, p.pseudonym AS Pseudonym, l.decision_id AS DecisionId,
                   l.kind AS Kind, l.entry_type AS EntryType, l.corrects_entry_id AS CorrectsEntryId, l.period AS Period,
                   l.requested_amount AS RequestedAmount, l.amount AS Amount, l.cap_note AS CapNote, l.currency AS Currency, l.created_at AS CreatedAt
            FROM ledger_entries l JOIN participants p ON p.id = l.participant_id
            WHERE l.contract_id = @contractId AND l.participant_id = @Id AND {TenantScope.ContractRows(caller, "l")}
            ORDER BY l.sequence
            """, new { contractId, participant.Id, CallerOrganisation = caller.OrganisationId }, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
        var entries = await AuditEntriesAsync(contractId, pseudonym, cancellationToken).ConfigureAwait(false);
        return new ParticipantExportData(participant, history, exported, cohort, ledger, entries);
    }

    private async Task<List<Decision>> AllDecisionsAsync(Caller caller, string contractId, string pseudonym, CancellationToken cancellationToken)
    {
        var all = new List<Decision>();
        while (true)
        {
            var page = await decisions.ListAsync(caller, contractId, new DecisionQuery(pseudonym, CurrentOnly: false, AfterSequence: all.Count == 0 ? 0 : all[^1].Sequence, Limit: Page), cancellationToken)
                .ConfigureAwait(false);
            all.AddRange(page);
            if (page.Count < Page)
            {
                return all;
            }
        }
    }

    private async Task<Dictionary<string, string>> SnapshotsAsync(System.Data.Common.DbConnection connection, IEnumerable<string> hashes)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in hashes.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            var rows = await connection.QueryAsync<(string Hash, string Snapshot)>(
                "SELECT input_hash, snapshot FROM evaluation_inputs WHERE " + connections.Dialect.InList("input_hash", "@chunk"), new { chunk }).ConfigureAwait(false);
            foreach (var (hash, snapshot) in rows)
            {
                result[hash] = snapshot;
            }
        }

        return result;
    }

    /// <summary>
    /// Cohort decisions are about everyone in the cohort; their input lists each member. Only this participant's own
    /// member entry is taken out of each, so the export holds nothing about the other participants.
    /// </summary>
    private static async Task<List<ExportedCohortMembership>> CohortMembershipsAsync(
        System.Data.Common.DbConnection connection, Caller caller, string contractId, string pseudonym, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(string Id, string Workflow, string Outcome, string? ProviderId, string Status, DateOnly AsOf, string Snapshot)>(new CommandDefinition(
            $"""
            SELECT d.id, d.workflow, d.outcome, d.provider_id, d.status, d.as_of, i.snapshot
            FROM decisions d JOIN evaluation_inputs i ON i.input_hash = d.input_hash
            WHERE d.contract_id = @contractId AND d.participant_id IS NULL AND {TenantScope.ContractRows(caller, "d")}
            ORDER BY d.sequence
            """, new { contractId, CallerOrganisation = caller.OrganisationId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var found = new List<ExportedCohortMembership>();
        foreach (var row in rows)
        {
            using var snapshot = JsonDocument.Parse(row.Snapshot);
            if (!snapshot.RootElement.TryGetProperty("cohort", out var members) || members.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var member in members.EnumerateArray())
            {
                if (member.ValueKind == JsonValueKind.Object && member.TryGetProperty("pseudonym", out var name) && name.ValueKind == JsonValueKind.String
                    && name.GetString() == pseudonym)
                {
                    found.Add(new ExportedCohortMembership(row.Id, row.Workflow, row.Outcome, row.ProviderId, row.Status, row.AsOf, member.GetRawText()));
                }
            }
        }

        return found;
    }

    /// <summary>The audit entries naming the pseudonym; pseudonyms are unique per contract only, so other contracts' are left out.</summary>
    private async Task<List<AuditRecord>> AuditEntriesAsync(string contractId, string pseudonym, CancellationToken cancellationToken)
    {
        var entries = new List<AuditRecord>();
        long after = 0;
        while (true)
        {
            var page = await audit.QueryAsync(new AuditQuery(ParticipantPseudonym: pseudonym, AfterSequence: after, Limit: 10_000), cancellationToken).ConfigureAwait(false);
            entries.AddRange(page.Where(e => e.ContractId == contractId));
            if (page.Count < 10_000)
            {
                return entries;
            }

            after = page[^1].Sequence;
        }
    }

    private static string? Kept(string? snapshot) => snapshot is null || RetentionMarker.RemovedOn(snapshot) is not null ? null : snapshot;
}
