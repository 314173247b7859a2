using System.Diagnostics;
using System.Diagnostics.Metrics;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Participants;

namespace ConfigurableContracts.Core.Diagnostics;

/// <summary>
/// Every metric and trace the platform itself emits, in one place: evaluation runs, decisions written, rule errors,
/// outcome report latency and intake. Call sites make one call each; with no listener (telemetry off, the CLI) an
/// instrument costs a branch. The server exports them over OTLP when <c>Telemetry:OtlpEndpoint</c> is set
/// (docs/operations.md lists names, units and tags). Tags never carry participant data, and metric tags have few
/// values (a trigger, an outcome, a template id), so a collector's series stay bounded; contract and run ids go
/// on traces only.
/// </summary>
public static class ContractsTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "ConfigurableContracts";

    private static readonly string? Version = typeof(ContractsTelemetry).Assembly.GetName().Version?.ToString();

    /// <summary>Traces: one span per evaluation run and per outcome report.</summary>
    public static ActivitySource Source { get; } = new(Name, Version);

    private static readonly Meter Meter = new(Name, Version);

    private static readonly Counter<long> Runs = Meter.CreateCounter<long>(
        "contracts.runs", "{run}", "Evaluation runs ended, by trigger and outcome (succeeded, failed, interrupted).");

    private static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>(
        "contracts.run.duration", "s", "How long an evaluation run took, by trigger and outcome.");

    private static readonly Counter<long> DecisionsWritten = Meter.CreateCounter<long>(
        "contracts.decisions.written", "{decision}", "Decisions written by evaluations (new or changed; unchanged ones are not rewritten), by template.");

    private static readonly Counter<long> RuleErrors = Meter.CreateCounter<long>(
        "contracts.rule.errors", "{decision}", "Rule evaluations that ended in Error, by template.");

    private static readonly Histogram<double> ReportDuration = Meter.CreateHistogram<double>(
        "contracts.report.duration", "s", "How long an outcome report took to build.");

    private static readonly Counter<long> IntakeRecords = Meter.CreateCounter<long>(
        "contracts.intake.records", "{record}", "Participant and measurement documents checked at intake, by kind and result (accepted, rejected).");

    /// <summary>Starts an evaluation run's span and clock; end it with <see cref="RunScope.Succeeded"/> or let it end as interrupted or failed.</summary>
    public static RunScope StartRun(string contractId, string runId, string trigger) => new(contractId, runId, trigger);

    /// <summary>What one evaluation of a contract wrote.</summary>
    public static void Evaluated(string templateId, long decisionsWritten, long ruleErrors)
    {
        var template = new KeyValuePair<string, object?>("contracts.template", templateId);
        DecisionsWritten.Add(decisionsWritten, template);
        RuleErrors.Add(ruleErrors, template);
    }

    /// <summary>Starts an outcome report's span and clock; disposing records the latency.</summary>
    public static TimedScope StartReport(string contractId) =>
        new(Source.StartActivity("contracts.report")?.SetTag("contracts.contract.id", contractId), ReportDuration);

    /// <summary>One document checked at intake, single or in bulk.</summary>
    public static void IntakeChecked<T>(bool accepted) =>
        IntakeRecords.Add(1, new("contracts.intake.kind", KindOf(typeof(T))), new("contracts.intake.result", accepted ? "accepted" : "rejected"));

    private static string KindOf(Type document) =>
        document == typeof(NewParticipant) ? "participant" : document == typeof(MeasurementLine) ? "measurement" : document.Name;

    /// <summary>An evaluation run in progress: its span, its clock and, once known, its outcome.</summary>
    public sealed class RunScope : IDisposable
    {
        private readonly Activity? _activity;
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly string _trigger;
        private string _outcome = "interrupted";

        internal RunScope(string contractId, string runId, string trigger)
        {
            _trigger = trigger;
            _activity = Source.StartActivity("contracts.run")?
                .SetTag("contracts.contract.id", contractId).SetTag("contracts.run.id", runId).SetTag("contracts.run.trigger", trigger);
        }

        public void Succeeded() => _outcome = "succeeded";

        /// <summary>The run failed; <paramref name="error"/> is the run record's safe description (no data, no stack).</summary>
        public void Failed(string error)
        {
            _outcome = "failed";
            _activity?.SetStatus(ActivityStatusCode.Error, error);
        }

        public void Dispose()
        {
            var tags = new TagList { { "contracts.run.trigger", _trigger }, { "contracts.run.outcome", _outcome } };
            Runs.Add(1, tags);
            RunDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
            _activity?.SetTag("contracts.run.outcome", _outcome);
            _activity?.Dispose();
        }
    }

    /// <summary>A span and a clock that records into a duration histogram when disposed.</summary>
    public sealed class TimedScope : IDisposable
    {
        private readonly Activity? _activity;
        private readonly Histogram<double> _duration;
        private readonly long _started;

        internal TimedScope(Activity? activity, Histogram<double> duration)
        {
            _activity = activity;
            _duration = duration;
            _started = Stopwatch.GetTimestamp();
        }

        public void Dispose()
        {
            _duration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds);
            _activity?.Dispose();
        }
    }
}
