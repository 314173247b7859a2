using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text.Json;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Testing;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Benchmarks.NightlyRun;

/// <summary>
/// End-to-end nightly run on SQLite: N synthetic participants of the seed template (baseline, 3- and 6-month
/// follow-ups, some missing), evaluated by the real <see cref="ContractEvaluator"/> — read, evaluate, write decisions
/// and ledger. A warm-up night on another contract comes first, in the same process, so the measured night runs on
/// compiled code as a server's nightly job does. Then the measured run's rows are written again with one raw
/// prepared statement per table into identically indexed copies, the yardstick for the decision writes.
/// </summary>
internal static class NightlyRunScenario
{
    private const string Contract = "bench-contract";
    private const string WarmUpContract = "warm-up-contract";
    private const int WarmUpParticipants = 20_000;

    public static async Task<int> RunAsync(int participants)
    {
        var root = RepositoryRoot();
        var file = Path.Combine(Path.GetTempPath(), $"cc_nightly_{Guid.NewGuid():N}.db");
        try
        {
            DapperTypeHandlers.Register();
            var connections = new DbConnectionFactory(Options.Create(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={file}" }));
            await new MigrationRunner(connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
            var catalog = new TemplateCatalog(new TemplateLoader(root, new TemplateOptions()), NullLogger<TemplateCatalog>.Instance);
            catalog.Reload();
            var template = catalog.Templates.Single(t => t.Id == "preventive-youth-support");
            var bundles = new BundleTemplates(catalog, connections);

            var evaluator = new ContractEvaluator(connections, bundles, Options.Create(new SchedulerOptions()), TimeProvider.System, NullLogger<ContractEvaluator>.Instance);

            // A server that has run before has every evaluation path compiled by the JIT; a fresh benchmark process
            // has not. One small night on a contract of its own first, so the measured night sees what a server's
            // nightly job sees; its own time is the cold figure.
            await SeedAsync(connections, root, template, WarmUpContract, WarmUpParticipants, withOrganisations: true);
            var warmUp = Stopwatch.StartNew();
            await evaluator.EvaluateAsync(WarmUpContract, "warm-up-run", new DateOnly(2022, 12, 31), null, CancellationToken.None);
            Console.WriteLine($"warm-up night (cold process, {WarmUpParticipants:N0} participants of another contract): {warmUp.Elapsed.TotalSeconds:F2} s");
            await JitSettledAsync();

            var seeding = Stopwatch.StartNew();
            await SeedAsync(connections, root, template, Contract, participants, withOrganisations: false);
            Console.WriteLine($"seeded {participants:N0} participants with measurements in {seeding.Elapsed.TotalSeconds:F1} s");

            var run = new Stopwatch();
            var progress = new Progress<EvaluationProgress>(p =>
            {
                if (p.ParticipantsDone % 20_000 < SchedulerOptions.DefaultBatchSize)
                {
                    Console.WriteLine($"  {p.ParticipantsDone:N0}/{p.ParticipantsTotal:N0} participants, {p.ParticipantsDone / run.Elapsed.TotalSeconds:N0}/s");
                }
            });
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var (jitted, jitTime, collections) = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime(), GC.CollectionCount(0));
            var (allocated, paused) = (GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration());
            var written = DiskBytesWritten();
            run.Start();
            var summary = await evaluator.EvaluateAsync(Contract, "bench-run", new DateOnly(2022, 12, 31), progress, CancellationToken.None);
            run.Stop();
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Console.WriteLine($"  runtime: {System.Runtime.JitInfo.GetCompiledMethodCount() - jitted:N0} methods compiled in {(System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalSeconds:F2} s, {GC.CollectionCount(0) - collections:N0} gen-0 collections ({(GCSettings.IsServerGC ? "server" : "workstation")} GC) pausing {(GC.GetTotalPauseDuration() - paused).TotalSeconds:F2} s, {(GC.GetTotalAllocatedBytes() - allocated) / 1_048_576.0:N0} MiB allocated, {(DiskBytesWritten() - written) / 1_048_576.0:N0} MiB written to disk");
            Console.WriteLine($"nightly run: {run.Elapsed.TotalSeconds:F2} s end to end ({cpu.TotalSeconds:F2} s CPU on {Environment.ProcessorCount} cores); {summary.DecisionsWritten:N0} decisions, {summary.LedgerEntriesWritten:N0} ledger entries");
            Console.WriteLine($"  phases: read {summary.ReadTime.TotalSeconds:F2} s, snapshot + evaluate + serialise {summary.EvaluateTime.TotalSeconds:F2} s, decide + ledger {summary.DecideTime.TotalSeconds:F2} s, write {summary.WriteTime.TotalSeconds:F2} s (writing overlaps the rest)");
            Console.WriteLine($"  statuses: {summary.Achieved:N0} achieved, {summary.NotAchieved:N0} not achieved, {summary.NotEvaluable:N0} not evaluable, {summary.Errors:N0} errors");

            var raw = await RawInsertAsync(file);
            Console.WriteLine($"raw prepared-statement insert of the same rows into identically indexed tables: {raw.TotalSeconds:F2} s");
            Console.WriteLine($"decision writes / raw insert: {summary.WriteTime.TotalSeconds / raw.TotalSeconds:F2}x");

            var again = Stopwatch.StartNew();
            var second = await evaluator.EvaluateAsync(Contract, "bench-run-2", new DateOnly(2023, 1, 1), null, CancellationToken.None);
            Console.WriteLine($"second night on unchanged data: {again.Elapsed.TotalSeconds:F2} s, {second.DecisionsWritten} decisions written, {second.DecisionsUnchanged:N0} unchanged, {second.Errors:N0} errors");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(file + suffix);
            }
        }
    }

    internal static async Task SeedAsync(DbConnectionFactory connections, string root, TemplateVersion template, string contractId, int count, bool withOrganisations)
    {
        var contractJson = await File.ReadAllTextAsync(Path.Combine(root, "schemas/preventive-youth-support/examples/contract.json"));
        using var contract = JsonDocument.Parse(contractJson);
        var providers = contract.RootElement.GetProperty("providers").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToArray();
        // Caps high enough that every payment is paid: the benchmark measures throughput, not capping.
        var parameters = contractJson.Replace("\"perProvider\": 190000", "\"perProvider\": 1000000000", StringComparison.Ordinal)
            .Replace("\"perContract\":", "\"perContractIgnored\":", StringComparison.Ordinal);
        await using var connection = await connections.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var now = DateTimeOffset.UtcNow;
        if (withOrganisations)
        {
            await ContractSeeder.AddOrganisationsAsync(connection, transaction, providers.Append("bench-commissioner"), now);
        }

        await ContractSeeder.AddContractAsync(connection, transaction, connections.Dialect, template,
            new SeededContract(contractId, "bench-commissioner", providers) { Title = "Benchmark", Parameters = parameters, At = now });

        var random = new Random(20211001);
        var participantRows = new List<object>(count);
        var measurementRows = new List<object>(count * 3);
        for (var i = 0; i < count; i++)
        {
            var provider = providers[i % providers.Length];
            var enrolled = new DateOnly(2021, 9, 1).AddDays(random.Next(0, 180));
            var pseudonym = $"B{i / 100_000}-{i % 100_000:D5}";
            var id = $"{contractId}-{i:D7}";
            var exit = random.Next(20) == 0 ? ",\"exitReason\":\"moved-away\",\"exitDate\":\"2022-06-01\"" : "";
            var record = $$"""{"pseudonym":"{{pseudonym}}","providerId":"{{provider}}","enrolmentDate":"{{enrolled:yyyy-MM-dd}}","schoolYear":{{random.Next(4, 10)}},"referralSource":"school","riskAreas":["crime"]{{exit}}}""";
            participantRows.Add(new { id, contractId, provider, pseudonym, enrolled, record, now });
            var baselineScore = random.Next(10, 35);
            var attendance = Math.Round(0.5m + (decimal)random.NextDouble() * 0.4m, 2);
            var points = random.Next(10) switch { 0 => 1, 1 or 2 => 2, _ => 3 };
            for (var p = 0; p < points; p++)
            {
                var point = template.MeasurementPlan.Points[p];
                var score = p == 0 ? baselineScore : Math.Max(0, baselineScore - random.Next(-3, 10));
                var document = string.Create(CultureInfo.InvariantCulture,
                    $$"""{"point":"{{point.Id}}","date":"{{point.DueDate(enrolled):yyyy-MM-dd}}","newPoliceReports":{{(random.Next(8) == 0 ? 1 : 0)}},"newSocialServicesReports":{{random.Next(0, 3)}},"schoolAttendanceShare":{{Math.Min(1m, attendance + p * 0.04m)}},"substanceUse":"none","behaviourScore":{{score}},"protectiveActivities":[],"sessionsAttended":{{p * random.Next(2, 8)}},"ownRating":{{random.Next(1, 11)}}}""");
                measurementRows.Add(new { mid = $"{id}-{point.Id}", id, contractId, provider, point = point.Id, measuredOn = point.DueDate(enrolled), document, now });
            }
        }

        await connection.ExecuteAsync(
            """
            INSERT INTO participants (id, contract_id, provider_id, pseudonym, enrolment_date, record, row_version, created_at, created_by, updated_at)
            VALUES (@id, @contractId, @provider, @pseudonym, @enrolled, @record, 1, @now, 'bench', @now)
            """, participantRows, transaction);
        await connection.ExecuteAsync(
            """
            INSERT INTO measurements (id, participant_id, contract_id, provider_id, point, version, measured_on, document, recorded_at, recorded_by)
            VALUES (@mid, @id, @contractId, @provider, @point, 1, @measuredOn, @document, @now, 'bench')
            """, measurementRows, transaction);
        await transaction.CommitAsync();
    }

    /// <summary>Copies the written rows into identically indexed tables with one prepared statement per table.</summary>
    private static async Task<TimeSpan> RawInsertAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file}");
        await connection.OpenAsync();
        // The evaluator writer's page cache, so the comparison is of the writes, not of the cache; one transaction,
        // on disk when it commits, as the evaluator's run is once its last checkpoint returns.
        await connection.ExecuteAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-131072;");
        var tables = new[] { "evaluation_inputs", "decisions", "ledger_entries" };
        var data = new Dictionary<string, List<object?[]>>();
        var columns = new Dictionary<string, string[]>();
        foreach (var table in tables)
        {
            var ddl = await connection.ExecuteScalarAsync<string>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = @table", new { table });
            await connection.ExecuteAsync(ddl!.Replace($"CREATE TABLE {table}", $"CREATE TABLE {table}_raw", StringComparison.Ordinal));
            foreach (var index in await connection.QueryAsync<string>("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = @table AND sql IS NOT NULL", new { table }))
            {
                await connection.ExecuteAsync(index.Replace(" ON " + table + " ", $" ON {table}_raw ", StringComparison.Ordinal).Replace("INDEX ix_", "INDEX raw_ix_", StringComparison.Ordinal));
            }

            await using var read = connection.CreateCommand();
            read.CommandText = table == "evaluation_inputs"
                ? $"SELECT * FROM {table} WHERE input_hash IN (SELECT input_hash FROM decisions WHERE contract_id = '{Contract}')"
                : $"SELECT * FROM {table} WHERE contract_id = '{Contract}'";
            await using var reader = await read.ExecuteReaderAsync();
            columns[table] = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            var rows = new List<object?[]>();
            while (await reader.ReadAsync())
            {
                var values = new object?[reader.FieldCount];
                reader.GetValues(values!);
                rows.Add(values);
            }

            data[table] = rows;
        }

        var timer = Stopwatch.StartNew();
        await using (var transaction = connection.BeginTransaction())
        {
            foreach (var table in tables)
            {
                await using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = $"INSERT INTO {table}_raw ({string.Join(", ", columns[table])}) VALUES ({string.Join(", ", columns[table].Select((_, i) => "$p" + i))})";
                var parameters = columns[table].Select((_, i) => insert.Parameters.Add(new SqliteParameter("$p" + i, null))).ToArray();
                insert.Prepare();
                foreach (var row in data[table])
                {
                    for (var i = 0; i < row.Length; i++)
                    {
                        parameters[i].Value = row[i] ?? DBNull.Value;
                    }

                    await insert.ExecuteNonQueryAsync();
                }
            }

            await transaction.CommitAsync();
        }

        return timer.Elapsed;
    }

    /// <summary>
    /// Waits (at most 10 s) until the JIT's background tier-up after the warm-up has finished: no method compiled for
    /// half a second. A server's nightly job finds its code compiled the same way, hours after its last night.
    /// </summary>
    internal static async Task JitSettledAsync()
    {
        var waited = Stopwatch.StartNew();
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(500);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now == compiled)
            {
                return;
            }

            compiled = now;
        }
    }

    /// <summary>Bytes this process has caused to be written to storage so far (Linux; 0 elsewhere).</summary>
    private static long DiskBytesWritten()
    {
        const string Io = "/proc/self/io";
        if (!File.Exists(Io))
        {
            return 0;
        }

        var line = File.ReadLines(Io).FirstOrDefault(l => l.StartsWith("write_bytes:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line["write_bytes:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    internal static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ConfigurableContracts.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from inside the repository: the seed template is read from schemas/ and rules/.");
    }
}
