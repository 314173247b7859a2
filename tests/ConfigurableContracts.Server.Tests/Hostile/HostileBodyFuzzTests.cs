using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Intake;
using ConfigurableContracts.Server.Security;
using ConfigurableContracts.Server.Tests.Contracts;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ConfigurableContracts.Server.Tests.Hostile;

/// <summary>
/// Throws more than 100 000 hostile bodies (see <see cref="HostileBodies"/>) at every write endpoint the server
/// maps — found in its endpoint data source, so a new write endpoint is fuzzed without editing this test — and
/// checks after every single request: no 5xx, an error answer is a ProblemDetails that repeats no personal
/// identity number, pseudonym, exception or SQL, the server still answers, and when the request was refused the
/// row count of every table is what it was before it. Run in-process for the count (<see cref="HostileBodyFuzzTests"/>)
/// and, smaller, over real sockets to Kestrel, whose own body-size enforcement the in-process host lacks
/// (<see cref="HostileBodyFuzzOverSocketsTests"/>).
/// </summary>
public abstract class HostileBodyFuzz : IAsyncLifetime, IDisposable
{
    /// <summary>Requests per FsCheck test case.</summary>
    private const int BatchSize = 50;
    private const int MaxBodyBytes = 65536;
    private const int MaxBulkBodyBytes = 262144;

    /// <summary>The enrolled participant's pseudonym: bodies use it so lines get past the pseudonym lookup.</summary>
    protected const string Pseudonym = "HV-FUZZ-7F3A";

    /// <summary>
    /// The pseudonym of the participant in the routes (single measurement, correction). No body holds it, so an
    /// answer naming it would be the server repeating a stored pseudonym.
    /// </summary>
    private const string HiddenPseudonym = "HV-HIDDEN-19";

    private static readonly string[] Leaks = ["Exception", "   at ", "SQLite", "SELECT ", "INSERT ", "Npgsql", "System.", "StackTrace"];

    private readonly ITestOutputHelper _output;
    private readonly bool _overSockets;
    private readonly int _batches;

    private readonly string _databaseFile = Path.Combine(Path.GetTempPath(), $"cc_fuzz_{Guid.NewGuid():N}.db");
    private readonly ServerFactory _server;

    protected HostileBodyFuzz(ITestOutputHelper output, bool overSockets, int batches)
    {
        _output = output;
        _overSockets = overSockets;
        _batches = batches;
        _server = ServerFactory.WithSettings(new Dictionary<string, string?>
        {
            // Pooled, unlike the other tests' databases: a connection opened per query would be most of the run's time.
            ["Database:ConnectionString"] = $"Data Source={_databaseFile};Pooling=true",

            // A budget no fuzz run reaches; the rate limit itself is tested in LimitTests.
            ["Limits:RateLimitPermits"] = "100000000",
            ["Limits:RateLimitPermitsPerAddress"] = "100000000",

            // Small limits, so the huge-body cases cross them without the test generating gigabytes.
            ["Limits:MaxRequestBodyBytes"] = $"{MaxBodyBytes}",
            ["Limits:MaxBulkRequestBodyBytes"] = $"{MaxBulkBodyBytes}",
            ["Scheduler:CatchUpOnStart"] = "false",

            // A log line per request would cost more than the request.
            ["Logging:LogLevel:Default"] = "Warning",
        });
    }

    private readonly ConcurrentDictionary<string, int> _tally = new();
    private ContractScenario _scenario = null!;
    private HttpClient _admin = null!;
    private List<Target> _targets = [];
    private SqliteConnection _database = null!;
    private string _rowCountsSql = "";
    private string _etag = "";

    protected IReadOnlyList<string> TargetNames => _targets.Select(t => t.Name).ToList();

    public async Task InitializeAsync()
    {
        if (_overSockets)
        {
            _server.UseKestrel(0);
            _server.StartServer();
        }

        _scenario = await ContractScenario.CreateAsync(_server);
        _admin = _server.ClientWithKey(_server.AdminKey);
        var contractId = (await _scenario.ContractAsync()).GetProperty("id").GetString()!;
        await ContractScenario.EnrolAsync(_scenario.ProviderA, contractId, Pseudonym);
        var participantId = await ContractScenario.EnrolAsync(_scenario.ProviderA, contractId, HiddenPseudonym);
        using var participant = await _scenario.ProviderA.Client.GetAsync($"/api/contracts/{contractId}/participants/{participantId}");
        _etag = participant.Headers.ETag!.ToString();
        using var spareKey = await _admin.PostAsync($"/api/organisations/{_scenario.ProviderB.OrganisationId}/keys",
            new StringContent("""{"role":"provider","label":"spare"}""", Encoding.UTF8, "application/json"));
        var spareKeyId = (await ContractScenario.Json(spareKey)).GetProperty("key").GetProperty("id").GetString()!;

        var routeValues = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["contractId"] = contractId,
            ["participantId"] = participantId,
            ["period"] = "2022-06",
            ["providerId"] = _scenario.ProviderA.OrganisationId,
            ["keyId"] = spareKeyId,
        };
        _targets = WriteEndpoints(routeValues, _scenario.ProviderB.OrganisationId);

        _database = new SqliteConnection(_server.Services.GetRequiredService<IConfiguration>()["Database:ConnectionString"]);
        await _database.OpenAsync();
        using var tables = _database.CreateCommand();
        tables.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        var names = new List<string>();
        await using (var reader = await tables.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        // The audit log is the one table every request adds to (each write is audited, refused or not): it is
        // checked on its own, one entry per request (and one per bulk chunk that wrote rows), and every other table
        // must not change on a refusal. A bulk upload answered 200 is kept for retries even when every line was
        // rejected (the answer is what a retry gets), so the bulk_upload tables are not a refusal's to keep still.
        var watched = names.Where(n => !n.StartsWith("audit_log", StringComparison.Ordinal) && !n.StartsWith("bulk_upload", StringComparison.Ordinal)).ToList();
        _rowCountsSql = "SELECT " + string.Join(", ", watched.Select(n => $"(SELECT count(*) FROM \"{n}\") AS \"{n}\""));
        _output.WriteLine($"{watched.Count} tables watched: {string.Join(", ", watched)}; audit_log grows by one entry a request");
    }

    [Fact]
    public async Task HostileBodies_GetNo5xx_AndRefusedOnesChangeNoRow()
    {
        var started = TimeProvider.System.GetTimestamp();
        var counts = new Counts();
        var batch =
            from target in Gen.Elements(_targets.ToArray())
            from body in target.Bulk ? HostileBodies.ForBulkEndpoint(Pseudonym) : HostileBodies.ForJsonEndpoint(Pseudonym)
            select (target, body);
        var property = Prop.ForAll(
            Gen.ArrayOf(batch, BatchSize).ToArbitrary(),
            cases => SendAllAsync(cases, counts).GetAwaiter().GetResult());

        // FsCheck runs properties synchronously; on a pool thread, blocking on the requests cannot deadlock.
        await Task.Run(() => property.Check(Config.QuickThrowOnFailure.WithMaxTest(_batches).WithEndSize(60).WithQuietOnSuccess(true)));

        using var health = await _admin.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(_batches * BatchSize, counts.Requests);

        // The audit entries of every hostile request still form one unbroken chain.
        var chain = await _server.Services.GetRequiredService<AuditLog>().VerifyAsync();
        Assert.True(chain.FirstBrokenSequence is null, $"audit chain broken at {chain.FirstBrokenSequence}: {chain.Reason}");
        Assert.True(chain.EntriesChecked >= counts.Requests - counts.Dropped, $"{chain.EntriesChecked} audit entries for {counts.Requests} requests");
        _output.WriteLine($"audit chain: {chain.EntriesChecked} entries verified, none broken");
        _output.WriteLine($"{counts.Requests} hostile requests ({(_overSockets ? "over sockets to Kestrel" : "in-process")}) to {_targets.Count} write endpoints " +
            $"in {TimeProvider.System.GetElapsedTime(started)}: {counts.Refused} refused with row counts unchanged " +
            $"({counts.Dropped} of them by the server closing the connection on a body over the limit), {counts.Succeeded} accepted, 0 with 5xx.");
        _output.WriteLine("by status: " + string.Join(", ", _tally.Where(t => t.Key.StartsWith("status", StringComparison.Ordinal)).OrderBy(t => t.Key).Select(t => $"{t.Key[7..]}×{t.Value}")));
        _output.WriteLine("by kind: " + string.Join(", ", _tally.Where(t => !t.Key.StartsWith("status", StringComparison.Ordinal)).OrderBy(t => t.Key).Select(t => $"{t.Key}×{t.Value}")));
    }

    public void Dispose()
    {
        _database.Dispose();
        GC.SuppressFinalize(this);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _scenario.DisposeAsync();
        await _server.DisposeAsync();
        SqliteConnection.ClearAllPools();
        SqliteFiles.Delete(_databaseFile);
    }

    private async Task<bool> SendAllAsync((Target Target, HostileBody Body)[] cases, Counts counts)
    {
        var before = await RowCountsAsync();
        var audited = await AuditEntriesAsync();
        foreach (var (target, body) in cases)
        {
            using var request = new HttpRequestMessage(target.Method, target.Path) { Content = new ByteArrayContent(body.Bytes) };
            request.Content.Headers.Remove("Content-Type");
            if (body.ContentType is not null)
            {
                // Unvalidated: a malformed Content-Type header is one of the hostile inputs.
                request.Content.Headers.TryAddWithoutValidation("Content-Type", body.ContentType);
            }

            request.Headers.TryAddWithoutValidation("If-Match", _etag);
            HttpResponseMessage response;
            try
            {
                response = await target.Client.SendAsync(request);
            }
            catch (HttpRequestException) when (_overSockets && body.Bytes.Length > (target.Bulk ? MaxBulkBodyBytes : MaxBodyBytes))
            {
                // Kestrel may answer 413 and close before the client has sent the rest: refused all the same.
                Interlocked.Increment(ref counts.Requests);
                Interlocked.Increment(ref counts.Refused);
                Interlocked.Increment(ref counts.Dropped);
                Assert.Equal(before, await RowCountsAsync());

                // Kestrel itself may refuse such a body before the pipeline (and so the audit) sees the request.
                var afterDrop = await AuditEntriesAsync();
                Assert.InRange(afterDrop, audited, audited + 1);
                audited = afterDrop;
                continue;
            }

            using var answer = response;
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            _tally.AddOrUpdate("status " + status, 1, (_, n) => n + 1);
            _tally.AddOrUpdate(body.Kind, 1, (_, n) => n + 1);
            Interlocked.Increment(ref counts.Requests);
            Assert.True(status < 500, $"{status} from {target.Method} {target.Path} for {body}: {text}");
            var auditedNow = await AuditEntriesAsync();
            var chunkEntries = target.Bulk && response.IsSuccessStatusCode ? CommittedChunksWithRows(text) : 0;
            Assert.True(auditedNow == audited + 1 + chunkEntries, $"{auditedNow - audited} audit entries for {status} from {target.Method} {target.Path} for {body}");
            audited = auditedNow;

            var wrote = response.IsSuccessStatusCode && !(target.Bulk && IsAllRejected(text));
            if (wrote)
            {
                Interlocked.Increment(ref counts.Succeeded);
                before = await RowCountsAsync();
                continue;
            }

            Interlocked.Increment(ref counts.Refused);
            if (!response.IsSuccessStatusCode)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }

            Assert.DoesNotContain(HiddenPseudonym, text, StringComparison.Ordinal);

            // An answer may quote what the client sent in a field (an unknown template id); it never names a stored pseudonym.
            if (!Encoding.UTF8.GetString(body.Bytes).Contains(Pseudonym, StringComparison.Ordinal))
            {
                Assert.DoesNotContain(Pseudonym, text, StringComparison.Ordinal);
            }

            if (body.Identity is { } identity)
            {
                Assert.DoesNotContain(identity, text, StringComparison.Ordinal);
            }

            foreach (var leak in Leaks)
            {
                Assert.False(text.Contains(leak, StringComparison.Ordinal), $"'{leak}' in the answer to {target.Method} {target.Path} for {body}: {text}");
            }

            var after = await RowCountsAsync();
            Assert.True(before == after, $"{status} from {target.Method} {target.Path} changed row counts {before} → {after} for {body}");
        }

        return true;
    }

    /// <summary>A bulk upload's chunks that wrote rows, each audited as it commits: one per 5 000 accepted lines.</summary>
    private static int CommittedChunksWithRows(string bulkAnswer)
    {
        using var document = JsonDocument.Parse(bulkAnswer);
        return (document.RootElement.GetProperty("accepted").GetInt32() + 4999) / 5000;
    }

    private static bool IsAllRejected(string bulkAnswer)
    {
        using var document = JsonDocument.Parse(bulkAnswer);
        return document.RootElement.GetProperty("accepted").GetInt32() == 0;
    }

    private async Task<long> AuditEntriesAsync()
    {
        using var command = _database.CreateCommand();
        command.CommandText = "SELECT count(*) FROM audit_log";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string> RowCountsAsync()
    {
        using var command = _database.CreateCommand();
        command.CommandText = _rowCountsSql;
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return string.Join(" ", Enumerable.Range(0, reader.FieldCount).Select(i => $"{reader.GetName(i)}={reader.GetInt64(i)}"));
    }

    /// <summary>
    /// Every POST, PUT, PATCH and DELETE the server maps, with its route filled in and the client of a role its
    /// policy admits. Endpoints that read no body (activate, close, run now, revoke) get ids that exist nowhere:
    /// the fuzz is about bodies, and closing the fuzzed contract would turn the rest of the run into 409s.
    /// </summary>
    private List<Target> WriteEndpoints(Dictionary<string, string> routeValues, string otherProviderId)
    {
        var writes = new[] { "POST", "PUT", "PATCH", "DELETE" };
        var targets = new List<Target>();
        foreach (var endpoint in _server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            foreach (var method in methods.Intersect(writes))
            {
                var accepts = endpoint.Metadata.GetMetadata<IAcceptsMetadata>();
                var bulk = accepts?.ContentTypes.Contains(JsonLinesBody.MediaType) ?? false;
                var pattern = endpoint.RoutePattern;
                var values = new Dictionary<string, string>(routeValues, StringComparer.Ordinal)
                {
                    ["organisationId"] = otherProviderId,
                };
                var path = "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
                {
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => accepts is null
                        ? "no-such-" + parameter.Name.ToLowerInvariant()
                        : values[parameter.Name],
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart separator => separator.Content,
                    _ => throw new InvalidOperationException($"Unexpected route part in {pattern.RawText}."),
                }))));
                var policy = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
                targets.Add(new Target(endpoint.DisplayName ?? path, endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? path,
                    new HttpMethod(method), path, bulk, ClientFor(policy, endpoint.DisplayName)));
            }
        }

        return targets;
    }

    private HttpClient ClientFor(string? policy, string? endpoint) => policy switch
    {
        Policies.Admin => _admin,
        Policies.Commissioner or Policies.PaymentReviewer or Policies.EvaluationRunner => _scenario.Commissioner.Client,
        Policies.Provider => _scenario.ProviderA.Client,
        _ => throw new InvalidOperationException($"Write endpoint {endpoint} has policy '{policy}'; say here which caller's role it admits."),
    };

    private sealed record Target(string DisplayName, string Name, HttpMethod Method, string Path, bool Bulk, HttpClient Client)
    {
        public override string ToString() => $"{Method} {Path}";
    }

    private sealed class Counts
    {
        public int Requests;
        public int Refused;
        public int Succeeded;
        public int Dropped;
    }
}

/// <summary>The fuzz in-process, where it is fast: 2 100 FsCheck cases of 50 requests, 105 000 hostile bodies.</summary>
public sealed class HostileBodyFuzzTests(ITestOutputHelper output) : HostileBodyFuzz(output, overSockets: false, batches: 2_100)
{
    [Fact]
    public void Identities_UsedByTheGenerators_AreOnesTheIntakeRefuses()
    {
        var samples = HostileBodies.ForJsonEndpoint(Pseudonym).Sample(5_000).Select(b => b.Identity).OfType<string>().Distinct().ToList();

        Assert.NotEmpty(samples);
        Assert.All(samples, identity => Assert.True(PersonalIdentityNumbers.Contains(identity), identity));
    }

    [Fact]
    public void WriteEndpoints_AreAllFound()
    {
        // A floor, not the list: new write endpoints join the fuzz by being mapped.
        Assert.Superset(
            new HashSet<string>(StringComparer.Ordinal)
            {
                "CreateContract", "UpdateContract", "EnrolParticipant", "EnrolParticipantsInBulk", "CorrectParticipant",
                "RecordMeasurement", "RecordMeasurementsInBulk", "ReviewPayments", "CreateOrganisation", "CreateKey", "RevokeKey",
            },
            TargetNames.ToHashSet(StringComparer.Ordinal));
    }
}

/// <summary>The same fuzz over real sockets to Kestrel, smaller: 100 cases of 50 requests.</summary>
public sealed class HostileBodyFuzzOverSocketsTests(ITestOutputHelper output) : HostileBodyFuzz(output, overSockets: true, batches: 100);
