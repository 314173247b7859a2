using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ConfigurableContracts.Core.Diagnostics;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Tests.Contracts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ConfigurableContracts.Server.Tests.Telemetry;

/// <summary>
/// Tests that count what the process-wide instruments of <see cref="ContractsTelemetry"/> record run alone, so that
/// no other test's runs, reports or uploads add to the counts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideTelemetry
{
    public const string Name = "Process-wide telemetry";
}

/// <summary>The instruments fire on a real intake, run and report, and are exported only when a collector is named.</summary>
[Collection(ProcessWideTelemetry.Name)]
public sealed class TelemetryTests
{
    [Fact]
    public async Task Instruments_RecordIntakeRunAndReport_AsTheApiReportsThem()
    {
        using var recorded = new Recorder();
        using var server = new ServerFactory();
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        using var admin = server.ClientWithKey(server.AdminKey);

        var participantId = await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-T1");
        await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-T2");
        using var badParticipant = await scenario.ProviderA.Client.PostAsJsonAsync($"/api/contracts/{contractId}/participants", new { enrolmentDate = "2022-01-10" });
        using var badMeasurement = await scenario.ProviderA.Client.PostAsJsonAsync(
            $"/api/contracts/{contractId}/participants/{participantId}/measurements", new { pseudonym = "HV-T1", point = "no-such-point", date = "2022-04-10", score = 3 });
        using var started = await admin.PostAsync($"/api/contracts/{contractId}/evaluations", content: null);
        var run = await WaitForFinishAsync(admin, (await ContractScenario.Json(started)).GetProperty("id").GetString()!);
        using var report = await scenario.Commissioner.Client.GetAsync($"/api/contracts/{contractId}/outcomes");

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.OK), (badParticipant.StatusCode, badMeasurement.StatusCode, report.StatusCode));
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        var counts = run.GetProperty("counts");
        Assert.Equal(2, recorded.Sum("contracts.intake.records", ("contracts.intake.kind", "participant"), ("contracts.intake.result", "accepted")));
        Assert.Equal(1, recorded.Sum("contracts.intake.records", ("contracts.intake.kind", "participant"), ("contracts.intake.result", "rejected")));
        Assert.Equal(1, recorded.Sum("contracts.intake.records", ("contracts.intake.kind", "measurement"), ("contracts.intake.result", "rejected")));
        Assert.Equal(1, recorded.Sum("contracts.runs", ("contracts.run.trigger", "manual"), ("contracts.run.outcome", "succeeded")));
        Assert.Equal(1, recorded.Count("contracts.run.duration"));
        Assert.True(counts.GetProperty("decisionsWritten").GetInt64() > 0);
        Assert.Equal(counts.GetProperty("decisionsWritten").GetInt64(), recorded.Sum("contracts.decisions.written", ("contracts.template", ServerFactory.TemplateId)));
        Assert.Equal(counts.GetProperty("errors").GetInt64(), recorded.Sum("contracts.rule.errors", ("contracts.template", ServerFactory.TemplateId)));
        Assert.Equal(1, recorded.Count("contracts.report.duration"));
        var spans = recorded.Spans.ToList();
        Assert.Contains(spans, s => s.OperationName == "contracts.run" && (string?)s.GetTagItem("contracts.contract.id") == contractId
            && (string?)s.GetTagItem("contracts.run.outcome") == "succeeded");
        Assert.Contains(spans, s => s.OperationName == "contracts.report" && (string?)s.GetTagItem("contracts.contract.id") == contractId);
    }

    [Fact]
    public void Off_ByDefault_NoOpenTelemetryIsRegistered()
    {
        using var server = new ServerFactory();

        Assert.Null(server.Services.GetService<MeterProvider>());
        Assert.Null(server.Services.GetService<TracerProvider>());
    }

    [Theory]
    [InlineData("Telemetry:OtlpEndpoint", "Telemetry:OtlpProtocol")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL")]
    public async Task On_MetricsAndTracesReachTheCollector(string endpointSetting, string protocolSetting)
    {
        using var collector = new FakeCollector();
        using var factory = new ServerFactory();
        // As settings the host sees while Program adds services (the server decides then whether to register
        // OpenTelemetry at all); the factory's own settings arrive only when the app is built.
        var server = factory.WithWebHostBuilder(builder => builder
            .UseSetting(endpointSetting, collector.Address)
            .UseSetting(protocolSetting, "http/protobuf"));
        try
        {
            Assert.NotNull(server.Services.GetService<MeterProvider>());
            using var client = server.CreateClient();
            client.DefaultRequestHeaders.Add(ConfigurableContracts.Server.Security.ApiKeyAuthenticationHandler.HeaderName, File.ReadAllText(factory.BootstrapKeyFile).Trim());
            using var response = await client.GetAsync("/api/organisations");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            // The request's span ends a moment after its answer reaches the client, so stopping the host at once could
            // shut the exporter before there is a span to send. Flush until the collector has both, or time runs out.
            var tracer = server.Services.GetRequiredService<TracerProvider>();
            var meter = server.Services.GetRequiredService<MeterProvider>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < deadline && (await collector.PathsAsync(expected: 2, TimeSpan.Zero)).Distinct().Count() < 2)
            {
                tracer.ForceFlush(1_000);
                meter.ForceFlush(1_000);
                await Task.Delay(100);
            }
        }
        finally
        {
            // Stopping the host flushes both exporters too.
            await server.DisposeAsync();
        }

        var paths = await collector.PathsAsync(expected: 2, TimeSpan.FromSeconds(30));
        Assert.Contains("/v1/traces", paths);
        Assert.Contains("/v1/metrics", paths);
    }

    [Fact]
    public void Validator_QuotesABadEndpointAndProtocol()
    {
        var result = new ConfigurableContracts.Server.Telemetry.TelemetryOptionsValidator().Validate(
            null, new ConfigurableContracts.Server.Telemetry.TelemetryOptions { OtlpEndpoint = "collector:4317", OtlpProtocol = "udp" });

        Assert.Contains("'collector:4317'", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("'udp'", result.FailureMessage, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> WaitForFinishAsync(HttpClient client, string runId)
    {
        for (var i = 0; i < 600; i++)
        {
            var run = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{runId}");
            if (run.GetProperty("status").GetString() is "succeeded" or "failed")
            {
                return run;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Run {runId} did not finish within 60 s.");
    }

    /// <summary>Every measurement of the platform's meter and every span of its source while it lives.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _meters = new();
        private readonly ActivityListener _spans;
        private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

        public Recorder()
        {
            _meters.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ContractsTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
            _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
            _meters.Start();
            _spans = new ActivityListener
            {
                ShouldListenTo = source => source.Name == ContractsTelemetry.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Spans.Enqueue,
            };
            ActivitySource.AddActivityListener(_spans);
        }

        public ConcurrentQueue<Activity> Spans { get; } = new();

        public double Sum(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Sum(m => m.Value);

        public int Count(string instrument) => Matching(instrument, []).Count();

        public void Dispose()
        {
            _meters.Dispose();
            _spans.Dispose();
        }

        private IEnumerable<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> Matching(string instrument, (string Key, string Value)[] tags) =>
            _measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.Any(x => x.Key == t.Key && (string?)x.Value == t.Value)));
    }

    /// <summary>An OTLP/HTTP collector that accepts every export and remembers the paths posted to.</summary>
    private sealed class FakeCollector : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ConcurrentQueue<string> _paths = new();
        private readonly CancellationTokenSource _stop = new();

        public FakeCollector()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public string Address => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public async Task<IReadOnlyCollection<string>> PathsAsync(int expected, TimeSpan timeout)
        {
            using var deadline = new CancellationTokenSource(timeout);
            while (_paths.Distinct().Count() < expected && !deadline.IsCancellationRequested)
            {
                await Task.Delay(100, CancellationToken.None);
            }

            return _paths.ToArray();
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = ServeAsync(client);
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var _ = client;
            var stream = client.GetStream();
            var buffer = new List<byte>();
            var chunk = new byte[8192];
            try
            {
                while (true)
                {
                    var headerEnd = IndexOf(buffer, "\r\n\r\n"u8.ToArray());
                    while (headerEnd < 0)
                    {
                        var read = await stream.ReadAsync(chunk, _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        buffer.AddRange(chunk.AsSpan(0, read).ToArray());
                        headerEnd = IndexOf(buffer, "\r\n\r\n"u8.ToArray());
                    }

                    var head = Encoding.ASCII.GetString(buffer.GetRange(0, headerEnd).ToArray());
                    var length = head.Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                    while (buffer.Count < headerEnd + 4 + length)
                    {
                        var read = await stream.ReadAsync(chunk, _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        buffer.AddRange(chunk.AsSpan(0, read).ToArray());
                    }

                    _paths.Enqueue(head.Split(' ')[1]);
                    buffer.RemoveRange(0, headerEnd + 4 + length);
                    await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), _stop.Token);
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The exporter hung up, or the test ended.
            }
        }

        private static int IndexOf(List<byte> buffer, byte[] pattern)
        {
            for (var i = 0; i + pattern.Length <= buffer.Count; i++)
            {
                if (pattern.Select((b, j) => buffer[i + j] == b).All(x => x))
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
