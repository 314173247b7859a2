using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Server.Hosting;
using ConfigurableContracts.Server.Tests.Scheduling;
using ConfigurableContracts.Testing;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace ConfigurableContracts.Server.Tests.Intake;

/// <summary>
/// The retry protocol of docs/api.md, tested against the real server process: a JSON Lines upload of 30 000
/// measurements (six chunks) is sent with an Idempotency-Key, the server is SIGKILLed at seeded random points —
/// before the first chunk, inside one, between two — and started again, and the client does what the documentation
/// tells it: ask how far the upload got, then send the same bytes with the same key until the answer comes. Nothing
/// the server had said was committed may be lost, no measurement may be stored twice, the audit log must show the
/// committed chunks exactly once each, and <c>contracts audit verify</c> must pass.
/// </summary>
[Collection(KilledProcesses.Name)]
public sealed partial class UploadCrashTests(ITestOutputHelper output)
{
    private const string TemplateId = "preventive-youth-support";
    private const string ContractId = "upload-crash";
    private const string Provider = "forening-upload";
    private const int Participants = 10_000;
    private const int ChunkLines = 5000;

    /// <summary>Kills that must land while the upload is in progress, over the rounds.</summary>
    private const int Kills = 3;

    /// <summary>The seed of the kill points; <c>UPLOAD_CRASH_SEED</c> replays or explores another.</summary>
    private static readonly int KillSeed =
        int.TryParse(Environment.GetEnvironmentVariable("UPLOAD_CRASH_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : 17;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Upload_KilledAtRandomPoints_AndRetriedAsDocumented_EndsWithEveryLineOnceAndAnAuditedCommittedPart()
    {
        var clock = Stopwatch.StartNew();
        var file = Path.Combine(Path.GetTempPath(), $"cc_upload_crash_{Guid.NewGuid():N}.db");
        var connections = new DbConnectionFactory(Options.Create(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={file};Pooling=false" }));
        ServerProcess? server = null;
        var passed = false;
        try
        {
            var (secret, pseudonyms) = await SeedAsync(connections);
            var body = Body(pseudonyms, KillSeed);
            var lineCount = body.Count(b => b == (byte)'\n');
            output.WriteLine($"seeded {pseudonyms.Count} participants, body of {lineCount} lines ({body.Length / 1_000_000.0:F1} MB) in {clock.Elapsed.TotalSeconds:F1} s; kill seed {KillSeed}");
            var settings = new Dictionary<string, string>
            {
                ["Database__Provider"] = "Sqlite",
                ["Database__ConnectionString"] = $"Data Source={file}",
                ["Scheduler__CatchUpOnStart"] = "false",
                ["Retention__Enabled"] = "false",
            };

            var random = new Random(KillSeed);
            var key = $"crash-{KillSeed}";
            var acknowledged = 0;
            var landed = 0;
            JsonElement? answer = null;
            for (var round = 1; answer is null; round++)
            {
                Assert.True(round <= Kills + 3, $"no answer after {round - 1} rounds");
                server = ServerProcess.Start(settings);
                await server.WaitUntilHealthyAsync(StartTimeout);
                using var client = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromMinutes(5) };
                client.DefaultRequestHeaders.Add("X-Api-Key", secret);

                // Step 1 of the protocol: how far did the upload get? Everything said committed before must still be.
                var committed = await CommittedThroughAsync(client, key);
                Assert.True(committed >= acknowledged, $"round {round}: the server says lines 1-{committed} are committed, but 1-{acknowledged} were before the kill");
                acknowledged = committed;

                // Step 2: send the same bytes with the same key.
                var upload = SendAsync(client, body, key);
                if (landed < Kills)
                {
                    // The first kill lands up to 1.5 s after sending, while the body is read and checked or the first
                    // chunk written; the others once 1-2 more chunks are committed, plus up to 300 ms: inside or
                    // between chunks.
                    var target = landed == 0 ? committed : committed + (random.Next(1, 3) * ChunkLines);
                    var extra = landed == 0 ? random.Next(0, 1500) : random.Next(0, 300);
                    var seen = await WaitForCommittedAsync(connections, target, upload);
                    await Task.WhenAny(upload, Task.Delay(extra));
                    if (!upload.IsCompleted)
                    {
                        var before = await CommittedInDatabaseAsync(connections);
                        server.Kill();
                        landed++;
                        acknowledged = Math.Max(acknowledged, before);
                        output.WriteLine($"round {round}: killed at committed line {before} (waited for {target}, saw {seen}, +{extra} ms), {clock.Elapsed.TotalSeconds:F1} s");
                        await Assert.ThrowsAnyAsync<Exception>(() => upload);
                        server.Dispose();
                        server = null;
                        continue;
                    }
                }

                using var response = await upload;
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                answer = await response.Content.ReadFromJsonAsync<JsonElement>();
                output.WriteLine($"round {round}: answered, resumed after line {answer.Value.GetProperty("resumedAfterLine").GetInt32()}, {clock.Elapsed.TotalSeconds:F1} s");

                // A lost answer is retried the same way: the complete upload is replayed, nothing written.
                using var replay = await SendAsync(client, body, key);
                var replayed = await replay.Content.ReadFromJsonAsync<JsonElement>();
                Assert.True(replayed.GetProperty("replayed").GetBoolean());
                Assert.Equal(answer.Value.GetProperty("lines").GetRawText(), replayed.GetProperty("lines").GetRawText());
            }

            Assert.True(landed == Kills, $"only {landed} of {Kills} kills landed while the upload was in progress");
            var final = answer.Value;
            var ids = final.GetProperty("lines").EnumerateArray().Select(l => (Line: l.GetProperty("line").GetInt32(), Status: l.GetProperty("status").GetString(), Id: l.GetProperty("id").GetString())).ToList();
            Assert.Equal(Enumerable.Range(1, lineCount), ids.Select(l => l.Line));
            Assert.All(ids, l => Assert.True(l.Status is "accepted" or "rejected", l.Status));
            foreach (var rejected in final.GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("status").GetString() == "rejected"))
            {
                // Every generated line is valid; a checker that gives up under load (a schema pattern's timeout) says so per line.
                output.WriteLine($"rejected: {rejected}");
            }

            var accepted = ids.Where(l => l.Status == "accepted").ToList();
            Assert.True(accepted.Count >= lineCount * 0.99, $"only {accepted.Count} of {lineCount} valid lines accepted");
            Assert.True(final.GetProperty("upload").GetProperty("complete").GetBoolean());

            // Nothing doubled, nothing lost: one row per line, each the row the answer names, one version per point.
            await using (var connection = await connections.OpenAsync())
            {
                var stored = (await connection.QueryAsync<(string Id, int Version)>(
                    "SELECT id AS Id, version AS Version FROM measurements WHERE contract_id = @ContractId", new { ContractId })).ToList();
                Assert.Equal(accepted.Count, stored.Count);
                Assert.All(stored, s => Assert.Equal(1, s.Version));
                Assert.Equal(accepted.Select(l => l.Id).Order(StringComparer.Ordinal), stored.Select(s => s.Id).Order(StringComparer.Ordinal));
            }

            // The audit log shows every committed chunk once, contiguous from line 1 to the last, naming every participant.
            var uploadId = final.GetProperty("upload").GetProperty("id").GetString()!;
            var log = new AuditLog(connections, TimeProvider.System);
            var chunks = (await log.QueryAsync(new AuditQuery(Limit: 10_000)))
                .Where(e => e.Outcome == "committed" && e.Detail!.StartsWith($"upload={uploadId} ", StringComparison.Ordinal))
                .Select(e => (Range: LinesOf(e.Detail!), Accepted: AcceptedOf(e.Detail!), e.Pseudonyms))
                .OrderBy(c => c.Range.First)
                .ToList();
            Assert.Equal(1, chunks[0].Range.First);
            Assert.Equal(lineCount, chunks[^1].Range.Last);
            Assert.All(chunks.Zip(chunks.Skip(1)), pair => Assert.Equal(pair.First.Range.Last + 1, pair.Second.Range.First));
            Assert.Equal(accepted.Count, chunks.Sum(c => c.Accepted));
            var measured = accepted.Select(l => pseudonyms[(l.Line - 1) % pseudonyms.Count]).Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(measured, chunks.SelectMany(c => c.Pseudonyms).Distinct().Order(StringComparer.Ordinal));
            output.WriteLine($"{chunks.Count} chunk entries: {string.Join(", ", chunks.Select(c => $"{c.Range.First}-{c.Range.Last}"))}");

            server?.Dispose();
            server = null;
            var (exitCode, verify) = await RunCliAsync(settings, "audit", "verify");
            output.WriteLine(verify);
            Assert.True(exitCode == 0, verify);
            output.WriteLine($"done in {clock.Elapsed.TotalSeconds:F1} s");
            passed = true;
        }
        finally
        {
            if (!passed && server is not null)
            {
                output.WriteLine(server.Output);
            }

            server?.Dispose();
            SqliteConnection.ClearAllPools();
            SqliteFiles.Delete(file);
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, byte[] body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/contracts/{ContractId}/measurements:bulk")
        {
            Content = new ByteArrayContent(body) { Headers = { { "Content-Type", "application/x-ndjson" } } },
        };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    /// <summary>The status endpoint's <c>committedThroughLine</c>, 0 when the server has not seen the key.</summary>
    private static async Task<int> CommittedThroughAsync(HttpClient client, string key)
    {
        using var response = await client.GetAsync($"/api/contracts/{ContractId}/uploads/{key}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return 0;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("committedThroughLine").GetInt32();
    }

    private static async Task<int> CommittedInDatabaseAsync(DbConnectionFactory connections)
    {
        await using var connection = await connections.OpenAsync();
        return await connection.ExecuteScalarAsync<int?>("SELECT MAX(committed_through_line) FROM bulk_uploads") ?? 0;
    }

    private static async Task<int> WaitForCommittedAsync(DbConnectionFactory connections, int target, Task upload)
    {
        while (true)
        {
            var committed = await CommittedInDatabaseAsync(connections);
            if (committed >= target || upload.IsCompleted)
            {
                return committed;
            }

            await Task.Delay(10);
        }
    }

    private static (int First, int Last) LinesOf(string detail)
    {
        var match = ChunkRange().Match(detail);
        return (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    private static int AcceptedOf(string detail) => int.Parse(AcceptedCount().Match(detail).Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>The seeded contract on the shipped template, its participants, and a provider key; returns the key's secret and the pseudonyms.</summary>
    private static async Task<(string Secret, IReadOnlyList<string> Pseudonyms)> SeedAsync(DbConnectionFactory connections)
    {
        DapperTypeHandlers.Register();
        await new MigrationRunner(connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        var root = ContentRoot.Locate();
        var catalog = new TemplateCatalog(new TemplateLoader(root, new TemplateOptions()), NullLogger<TemplateCatalog>.Instance);
        catalog.Reload();
        var template = catalog.Templates.Single(t => t.Id == TemplateId);
        var contract = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(root, "schemas", TemplateId, "examples", "contract.json")))!;
        contract["providers"]![0]!["id"] = Provider;
        var commissioner = (string)contract["commissioner"]!["id"]!;
        var providers = contract["providers"]!.AsArray().Select(p => (string)p!["id"]!).ToArray();
        var at = new DateTimeOffset(2021, 9, 1, 8, 0, 0, TimeSpan.Zero);
        var pseudonyms = Enumerable.Range(0, Participants).Select(i => string.Create(CultureInfo.InvariantCulture, $"UP-{(char)('A' + (i / 10_000))}{i % 10_000:D4}")).ToList();

        await using var connection = await connections.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await ContractSeeder.AddOrganisationsAsync(connection, transaction, providers.Prepend(commissioner), at);
            await ContractSeeder.AddContractAsync(connection, transaction, connections.Dialect, template,
                new SeededContract(ContractId, commissioner, providers) { Title = "Upload crash", Parameters = contract.ToJsonString(), At = at });
            await connection.ExecuteAsync(
                """
                INSERT INTO participants (id, contract_id, provider_id, pseudonym, enrolment_date, record, row_version, created_at, created_by, updated_at)
                VALUES (@Id, @ContractId, @Provider, @Pseudonym, @Enrolled, @Record, 1, @At, 'upload-crash', @At)
                """,
                pseudonyms.Select((p, i) => new
                {
                    Id = $"up-{i:D6}", ContractId, Provider, Pseudonym = p, Enrolled = Enrolled(i),
                    Record = $$"""{"pseudonym":"{{p}}","enrolmentDate":"{{Enrolled(i):yyyy-MM-dd}}","schoolYear":7,"referralSource":"school","riskAreas":["crime"]}""",
                    At = at,
                }),
                transaction);
            await transaction.CommitAsync();
        }

        var key = await new ApiKeyStore(connections, TimeProvider.System).CreateAsync(Provider, Roles.Provider, "upload crash test");
        return (key!.Secret, pseudonyms);
    }

    private static DateOnly Enrolled(int participant) => new DateOnly(2021, 9, 1).AddDays(participant % 150);

    /// <summary>Three measurements per participant (baseline, 3 and 6 months), in the plan's windows; the same seed gives the same bytes.</summary>
    private static byte[] Body(IReadOnlyList<string> pseudonyms, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        string[] points = ["baseline", "followUp3", "followUp6"];
        for (var p = 0; p < points.Length; p++)
        {
            for (var i = 0; i < pseudonyms.Count; i++)
            {
                var measuredOn = Enrolled(i).AddMonths(3 * p).AddDays(random.Next(0, 10));
                text.Append(CultureInfo.InvariantCulture,
                    $$"""{"pseudonym":"{{pseudonyms[i]}}","point":"{{points[p]}}","date":"{{measuredOn:yyyy-MM-dd}}","newPoliceReports":{{random.Next(2)}},"newSocialServicesReports":{{random.Next(0, 3)}},"schoolAttendanceShare":0.{{random.Next(40, 99)}},"substanceUse":"none","behaviourScore":{{random.Next(5, 36)}},"protectiveActivities":[],"sessionsAttended":{{p * random.Next(1, 9)}},"ownRating":{{random.Next(1, 11)}}}""")
                    .Append('\n');
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Runs the <c>contracts</c> tool built beside the server, against the test's database.</summary>
    private static async Task<(int ExitCode, string Output)> RunCliAsync(IReadOnlyDictionary<string, string> settings, params string[] arguments)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<configuration>/net10.0
        var cli = Path.Combine(ContentRoot.Locate(), "src", "ConfigurableContracts.Cli", "bin", configuration, "net10.0", "contracts.dll");
        if (!File.Exists(cli))
        {
            var build = await RunAsync("dotnet", ["build", Path.Combine(ContentRoot.Locate(), "src", "ConfigurableContracts.Cli"), "-c", configuration, "-v", "q"], settings);
            Assert.True(build.ExitCode == 0, build.Output);
        }

        return await RunAsync("dotnet", [cli, .. arguments], settings);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@" lines=(\d+)-(\d+) ")]
    private static partial Regex ChunkRange();

    [GeneratedRegex(@" accepted=(\d+) ")]
    private static partial Regex AcceptedCount();
}
