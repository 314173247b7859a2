using System.Globalization;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Measurements;
using ConfigurableContracts.Core.Outcomes;
using ConfigurableContracts.Core.Participants;
using ConfigurableContracts.Core.Privacy;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Tests.Data;
using ConfigurableContracts.Core.Tests.Decisions;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core.Tests.Privacy;

/// <summary>
/// Two evaluated contracts of one commissioner on a migrated database. Contract 1 closes on 2022-07-01 (Stockholm;
/// 00:30 local, still 30 June in UTC), contract 2 on 2024-03-01. Contract 1 has an improving participant with a
/// follow-up corrected between two runs (two versions, superseded decisions), a non-improving one of provider B and one who moved; contract 2 has one.
/// </summary>
internal sealed class RetentionWorld : IAsyncDisposable
{
    public const string SecondContract = "contract-2";

    /// <summary>Contract 1's close instant: 2022-07-01 00:30 in Stockholm (CEST).</summary>
    public static readonly DateTimeOffset FirstClosedAt = new(2022, 6, 30, 22, 30, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset SecondClosedAt = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private RetentionWorld(EvaluationFixture fixture) => Fixture = fixture;

    public EvaluationFixture Fixture { get; }

    public DbConnectionFactory Connections => Fixture.Connections;

    public AuditLog Audit => new(Connections, Fixture.Time);

    public OutcomeReports Reports => new(Connections, Fixture.Bundles);

    public Caller Commissioner { get; } = new("commissioner", Roles.Commissioner, "key-commissioner");

    public RetentionSweep Sweep(int years = 5) =>
        new(Connections, Reports, new PrivacyAudit(Audit), Options.Create(new RetentionOptions { PeriodYears = years }), Fixture.Time, NullLogger<RetentionSweep>.Instance);

    public ParticipantExport Export =>
        new(Connections, new ParticipantStore(Connections, Fixture.Time), new MeasurementStore(Connections, Fixture.Time), new DecisionStore(Connections), Audit);

    public static async Task<RetentionWorld> CreateAsync(TestDatabase database, DbConnectionFactory connections)
    {
        var fixture = await EvaluationFixture.CreateAsync(database, connections);
        var world = new RetentionWorld(fixture);
        await fixture.AddContractAsync(SecondContract);

        var improved = await fixture.EnrolAsync("HV-1", EvaluationFixture.ProviderA);
        await fixture.MeasureAsync(improved, "baseline", 20);
        await fixture.MeasureAsync(improved, "followUp", 14);
        var notImproved = await fixture.EnrolAsync("HV-2", EvaluationFixture.ProviderB);
        await fixture.MeasureAsync(notImproved, "baseline", 20);
        await fixture.MeasureAsync(notImproved, "followUp", 25);
        var moved = await fixture.EnrolAsync("HV-3", EvaluationFixture.ProviderA, exitReason: "moved");
        await fixture.MeasureAsync(moved, "baseline", 18);
        var other = await fixture.EnrolAsync("K2-1", EvaluationFixture.ProviderA, contractId: SecondContract);
        await fixture.MeasureAsync(other, "baseline", 20);
        await fixture.MeasureAsync(other, "followUp", 10);

        await fixture.EvaluateAsync(new DateOnly(2022, 5, 1), "run-may");

        // A corrected follow-up after the first run: the June run supersedes HV-1's May decisions.
        await fixture.MeasureAsync(improved, "followUp", 12, version: 2);
        await fixture.EvaluateAsync(new DateOnly(2022, 6, 1), "run-june");
        await fixture.EvaluateAsync(new DateOnly(2022, 6, 1), "run-june", SecondContract);

        // Reads of the participants' data, as the API audits them.
        foreach (var (contract, pseudonym) in new[] { (EvaluationFixture.ContractId, "HV-1"), (EvaluationFixture.ContractId, "HV-2"), (SecondContract, "K2-1") })
        {
            await world.Audit.AppendAsync(new AuditEntry("key-commissioner", "commissioner", Roles.Commissioner, "participants.read", "GET /api/contracts/x/participants", contract, pseudonym, "follow-up", "200"));
        }

        await world.CloseAsync(EvaluationFixture.ContractId, FirstClosedAt);
        await world.CloseAsync(SecondContract, SecondClosedAt);
        return world;
    }

    public ValueTask DisposeAsync() => Fixture.DisposeAsync();

    public async Task CloseAsync(string contractId, DateTimeOffset closedAt)
    {
        await using var connection = await Connections.OpenAsync();
        await connection.ExecuteAsync("UPDATE contracts SET status = 'closed', closed_at = @closedAt WHERE id = @contractId", new { contractId, closedAt });
    }

    public async Task<int> CountAsync(string table, string contractId)
    {
        await using var connection = await Connections.OpenAsync();
        return await connection.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM {table} WHERE contract_id = @contractId", new { contractId });
    }

    /// <summary>Every row of every table retention touches, as text: what "changes nothing" is checked against.</summary>
    public async Task<string> DumpAsync()
    {
        await using var connection = await Connections.OpenAsync();
        var tables = new[]
        {
            ("participants", "id"), ("measurements", "id"), ("decisions", "id"), ("evaluation_inputs", "input_hash"), ("ledger_entries", "id"),
            ("retained_reports", "contract_id"), ("retention_audit_queue", "contract_id, pseudonym"), ("contracts", "id"), ("audit_log", "sequence"),
        };
        var lines = new List<string>();
        foreach (var (table, order) in tables)
        {
            foreach (IDictionary<string, object?> row in await connection.QueryAsync($"SELECT * FROM {table} ORDER BY {order}"))
            {
                lines.Add(table + ": " + string.Join(" | ", row.Select(c => $"{c.Key}={Convert.ToString(c.Value, CultureInfo.InvariantCulture)}")));
            }
        }

        return string.Join('\n', lines);
    }
}
