using System.Globalization;
using System.Text.Json.Nodes;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Server.Hosting;
using ConfigurableContracts.Testing;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Tests.Scheduling;

/// <summary>
/// A fresh, migrated database (a SQLite file, or a PostgreSQL database of its own) holding one active contract on the
/// shipped <c>preventive-youth-support</c> template with thousands of synthetic participants and their measurements,
/// and what a nightly run leaves in it: the run record, decisions, ledger entries and input snapshots.
/// </summary>
internal sealed class NightlyRunDatabase : IAsyncDisposable
{
    public const string ContractId = "crash-safety";

    /// <summary>
    /// The contract's own schedule: 02:00 Stockholm time on 31 December 2022, the contract's last day, and next in
    /// 2099. Until then its latest fire time before any real "now" is that night, so start-up catch-up evaluates the
    /// contract as of 2022-12-31 whatever day the test runs on, and the trigger never fires during a test.
    /// </summary>
    public const string Cron = "0 0 2 31 12 ? 2022,2099";

    /// <summary>The instant <see cref="Cron"/> last fired: what every run of the test stands for.</summary>
    public static readonly DateTimeOffset Night = new(2022, 12, 31, 1, 0, 0, TimeSpan.Zero);

    private const string TemplateId = "preventive-youth-support";

    private readonly Func<ValueTask> _drop;

    private NightlyRunDatabase(DatabaseProvider provider, string connectionString, string readerConnectionString, Func<ValueTask> drop)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Connections = new DbConnectionFactory(Options.Create(new DatabaseOptions { Provider = provider, ConnectionString = readerConnectionString }));
        _drop = drop;
    }

    public DatabaseProvider Provider { get; }

    /// <summary>What the server is given.</summary>
    public string ConnectionString { get; }

    /// <summary>The test's own connections (unpooled on SQLite, so the file can be deleted afterwards).</summary>
    public DbConnectionFactory Connections { get; }

    /// <summary>The settings that point a server process at this database.</summary>
    public Dictionary<string, string> ServerSettings => new()
    {
        ["Database__Provider"] = Provider.ToString(),
        ["Database__ConnectionString"] = ConnectionString,
    };

    public static async Task<NightlyRunDatabase> CreateSqliteAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), $"cc_crash_{Guid.NewGuid():N}.db");
        var database = new NightlyRunDatabase(DatabaseProvider.Sqlite, $"Data Source={file}", $"Data Source={file};Pooling=false", () =>
        {
            SqliteConnection.ClearAllPools();
            SqliteFiles.Delete(file);

            return ValueTask.CompletedTask;
        });
        DapperTypeHandlers.Register();
        await new MigrationRunner(database.Connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        return database;
    }

    public static async Task<NightlyRunDatabase> CreatePostgreSqlAsync()
    {
        var cluster = await ClusterDatabase.CreateAsync();
        return new NightlyRunDatabase(DatabaseProvider.PostgreSql, cluster.ConnectionString, cluster.ConnectionString, cluster.DisposeAsync);
    }

    /// <summary>
    /// Seeds the contract: the template's example contract with a contract-wide cap that runs out part-way through
    /// the cohort (so capped and uncapped charges both occur), and <paramref name="participants"/> participants
    /// spread over the five providers, enrolled in autumn 2021, with a baseline and most of them followed up at three
    /// and six months; a few have a corrected second version of a measurement, a few left early. The same
    /// <paramref name="seed"/> gives the same rows, byte for byte.
    /// </summary>
    public async Task SeedAsync(int participants, int seed)
    {
        var root = ContentRoot.Locate();
        var catalog = new TemplateCatalog(new TemplateLoader(root, new TemplateOptions()), NullLogger<TemplateCatalog>.Instance);
        catalog.Reload();
        var template = catalog.Templates.Single(t => t.Id == TemplateId);

        var contract = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(root, "schemas", TemplateId, "examples", "contract.json")))!;
        contract["caps"] = new JsonObject { ["perProvider"] = 1_000_000_000, ["perContract"] = 6_000 * participants };
        var providers = contract["providers"]!.AsArray().Select(p => (string)p!["id"]!).ToArray();
        var commissioner = (string)contract["commissioner"]!["id"]!;
        var at = new DateTimeOffset(2021, 9, 1, 8, 0, 0, TimeSpan.Zero);

        await using var connection = await Connections.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await ContractSeeder.AddOrganisationsAsync(connection, transaction, providers.Prepend(commissioner), at);
        await ContractSeeder.AddContractAsync(connection, transaction, Connections.Dialect, template,
            new SeededContract(ContractId, commissioner, providers) { Title = "Crash safety", Parameters = contract.ToJsonString(), At = at, ScheduleCron = Cron });

        var (people, measurements) = Generate(participants, seed, providers, at);
        await connection.ExecuteAsync(
            """
            INSERT INTO participants (id, contract_id, provider_id, pseudonym, enrolment_date, record, row_version, created_at, created_by, updated_at)
            VALUES (@Id, @ContractId, @Provider, @Pseudonym, @Enrolled, @Record, 1, @At, 'crash-safety', @At)
            """, people, transaction);
        await connection.ExecuteAsync(
            """
            INSERT INTO measurements (id, participant_id, contract_id, provider_id, point, version, measured_on, document, recorded_at, recorded_by)
            VALUES (@Id, @ParticipantId, @ContractId, @Provider, @Point, @Version, @MeasuredOn, @Document, @At, 'crash-safety')
            """, measurements, transaction);
        await transaction.CommitAsync();
    }

    /// <summary>The contract's runs, newest first.</summary>
    public async Task<IReadOnlyList<EvaluationRun>> RunsAsync() =>
        (await new EvaluationRunStore(Connections).ListAsync(new RunQuery(ContractId, PageSize: 100))).Runs;

    public async Task<int> DecisionCountAsync()
    {
        await using var connection = await Connections.OpenAsync();
        return await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM decisions WHERE contract_id = @ContractId", new { ContractId });
    }

    /// <summary>Everything the run wrote, without what differs between two runs by nature: run ids and wall-clock times.</summary>
    public async Task<NightlyRunRows> RowsAsync()
    {
        await using var connection = await Connections.OpenAsync();
        var decisions = await connection.QueryAsync<DecisionRecord>(
            """
            SELECT id AS Id, sequence AS Sequence, participant_id AS ParticipantId, provider_id AS ProviderId, workflow AS Workflow,
                   outcome AS Outcome, measurement_point AS MeasurementPoint, status AS Status, action_output AS ActionOutput,
                   result_tree AS ResultTree, bundle_hash AS BundleHash, engine_version AS EngineVersion, input_hash AS InputHash,
                   data_hash AS DataHash, as_of AS AsOf, superseded_by AS SupersededBy
            FROM decisions WHERE contract_id = @ContractId
            """, new { ContractId });
        var ledger = await connection.QueryAsync<LedgerRecord>(
            """
            SELECT id AS Id, sequence AS Sequence, provider_id AS ProviderId, participant_id AS ParticipantId, decision_id AS DecisionId,
                   kind AS Kind, entry_type AS EntryType, corrects_entry_id AS CorrectsEntryId, period AS Period,
                   requested_amount AS RequestedAmount, amount AS Amount, cap_note AS CapNote, currency AS Currency
            FROM ledger_entries WHERE contract_id = @ContractId
            """, new { ContractId });
        var inputs = await connection.QueryAsync<(string Hash, string Snapshot)>(
            "SELECT input_hash AS Hash, snapshot AS Snapshot FROM evaluation_inputs");
        return new NightlyRunRows([.. decisions], [.. ledger], [.. inputs]);
    }

    public ValueTask DisposeAsync() => _drop();

    private static (List<object> People, List<object> Measurements) Generate(int count, int seed, string[] providers, DateTimeOffset at)
    {
        var random = new Random(seed);
        var people = new List<object>(count);
        var measurements = new List<object>(count * 3);
        string[] risks = ["crime", "substance-use", "school-absence", "violence", "peer-risk"];
        string[] referrals = ["school", "social-services", "police", "self"];
        for (var i = 0; i < count; i++)
        {
            var id = $"cs-{i:D6}";
            var provider = providers[i % providers.Length];
            var pseudonym = string.Create(CultureInfo.InvariantCulture, $"CS-{(char)('A' + (i / 10_000))}{i % 10_000:D4}"); // at most five digits, as the schema demands
            var enrolled = new DateOnly(2021, 9, 1).AddDays(random.Next(0, 150));
            var exit = random.Next(25) switch
            {
                0 => $",\"exitDate\":\"{enrolled.AddMonths(2):yyyy-MM-dd}\",\"exitReason\":\"moved-away\"",
                1 => $",\"exitDate\":\"{enrolled.AddMonths(4):yyyy-MM-dd}\",\"exitReason\":\"dropped-out\"",
                _ => "",
            };
            var record = $$"""{"pseudonym":"{{pseudonym}}","providerId":"{{provider}}","enrolmentDate":"{{enrolled:yyyy-MM-dd}}","schoolYear":{{random.Next(4, 10)}},"referralSource":"{{referrals[random.Next(referrals.Length)]}}","riskAreas":["{{risks[random.Next(risks.Length)]}}"]{{exit}}}""";
            people.Add(new { Id = id, ContractId, Provider = provider, Pseudonym = pseudonym, Enrolled = enrolled, Record = record, At = at });

            var score = random.Next(12, 36);
            var attendance = 0.45 + (random.NextDouble() * 0.4);
            var followed = random.Next(10) switch { 0 => 0, 1 or 2 => 1, _ => 2 };
            string[] points = ["baseline", "followUp3", "followUp6"];
            for (var p = 0; p <= followed; p++)
            {
                var versions = p > 0 && random.Next(20) == 0 ? 2 : 1;
                for (var version = 1; version <= versions; version++)
                {
                    var measuredOn = enrolled.AddMonths(3 * p).AddDays(random.Next(0, 10));
                    var document = string.Create(CultureInfo.InvariantCulture,
                        $$"""{"point":"{{points[p]}}","date":"{{measuredOn:yyyy-MM-dd}}","newPoliceReports":{{(random.Next(6) == 0 ? 1 : 0)}},"newSocialServicesReports":{{random.Next(0, 3)}},"schoolAttendanceShare":{{Math.Min(1, Math.Round(attendance + (p * random.Next(0, 12) / 100.0), 2))}},"substanceUse":"none","behaviourScore":{{(p == 0 ? score : Math.Max(0, score - random.Next(-4, 12)))}},"protectiveActivities":[],"sessionsAttended":{{p * random.Next(1, 9)}},"ownRating":{{random.Next(1, 11)}}}""");
                    measurements.Add(new
                    {
                        Id = $"{id}-{points[p]}-v{version}", ParticipantId = id, ContractId, Provider = provider, Point = points[p],
                        Version = version, MeasuredOn = measuredOn, Document = document, At = at,
                    });
                }
            }
        }

        return (people, measurements);
    }
}

/// <summary>What a nightly run leaves behind, comparable between two databases.</summary>
internal sealed record NightlyRunRows(List<DecisionRecord> Decisions, List<LedgerRecord> Ledger, List<(string Hash, string Snapshot)> Inputs);

/// <summary>A decision as stored, less its run id and decision time.</summary>
internal sealed record DecisionRecord
{
    public string Id { get; init; } = "";

    public long Sequence { get; init; }

    public string? ParticipantId { get; init; }

    public string? ProviderId { get; init; }

    public string Workflow { get; init; } = "";

    public string Outcome { get; init; } = "";

    public string? MeasurementPoint { get; init; }

    public string Status { get; init; } = "";

    public string? ActionOutput { get; init; }

    public string ResultTree { get; init; } = "";

    public string BundleHash { get; init; } = "";

    public string EngineVersion { get; init; } = "";

    public string InputHash { get; init; } = "";

    public string DataHash { get; init; } = "";

    public DateOnly AsOf { get; init; }

    public string? SupersededBy { get; init; }
}

/// <summary>A ledger entry as stored, less its run id and creation time.</summary>
internal sealed record LedgerRecord
{
    public string Id { get; init; } = "";

    public long Sequence { get; init; }

    public string ProviderId { get; init; } = "";

    public string? ParticipantId { get; init; }

    public string DecisionId { get; init; } = "";

    public string Kind { get; init; } = "";

    public string EntryType { get; init; } = "";

    public string? CorrectsEntryId { get; init; }

    public string Period { get; init; } = "";

    public decimal RequestedAmount { get; init; }

    public decimal Amount { get; init; }

    public string? CapNote { get; init; }

    public string Currency { get; init; } = "";
}
