using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Evaluations;
using ConfigurableContracts.Core.Payments;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core.Evaluation;

/// <summary>
/// Evaluates one contract as of a date: every participant through the template's participant workflows, then the
/// cohort workflows for the whole contract and per provider, writing decisions and ledger entries.
/// </summary>
/// <remarks>
/// Idempotent and crash-safe by construction: a decision is written only when its data, status or output differs
/// from the current one, its id is a hash of what it decides and which decision it supersedes, and each batch of
/// participants commits atomically. A run retried after a crash therefore rewrites nothing it already committed.
/// </remarks>
public sealed class ContractEvaluator(
    DbConnectionFactory connections, BundleTemplates bundles, IOptions<SchedulerOptions> options, TimeProvider time, ILogger<ContractEvaluator> logger)
{
    // Checked here too, not only at server start-up: a batch of 0 would evaluate nobody and decide the cohort empty.
    private readonly int _batchSize = options.Value.BatchSizeProblem() is { } problem
        ? throw new OptionsValidationException(Options.DefaultName, typeof(SchedulerOptions), [problem])
        : options.Value.BatchSize;

    /// <summary>The rule engine's version, recorded on every decision.</summary>
    public static string EngineVersion { get; } =
        typeof(CompiledWorkflowSet).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public async Task<EvaluationSummary> EvaluateAsync(string contractId, string runId, DateOnly asOf, IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        var store = new EvaluationStore(connections);
        await using var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        var contract = await EvaluationStore.ContractAsync(connection, contractId).ConfigureAwait(false)
            ?? throw new ContractNotEvaluableException($"No contract '{contractId}'.");
        if (contract.Status is not ("active" or "closed"))
        {
            throw new ContractNotEvaluableException($"Contract '{contractId}' is {contract.Status}; only active and closed contracts are evaluated.");
        }

        if (contract.RetainedAt is not null)
        {
            // Its participants are gone: a run would decide the cohort from nobody and overwrite the kept outcomes.
            throw new ContractNotEvaluableException($"Contract '{contractId}' had its participant data removed under retention; it is no longer evaluated.");
        }

        var template = await bundles.GetAsync(contract.BundleHash, cancellationToken).ConfigureAwait(false);
        using var parameters = JsonDocument.Parse(contract.Parameters);
        var (contractJson, contractHash) = InputSnapshot.ContractPart(contract.Parameters);
        var contractText = Utf8Text.From(contractJson);
        var now = time.GetUtcNow();
        var run = new RunContext(contractId, runId, template, contractHash, asOf, now);
        var ledger = new LedgerState(
            PaymentModel.From(template), parameters.RootElement, contractId, runId, asOf.ToString("yyyy-MM", CultureInfo.InvariantCulture), now,
            await EvaluationStore.PaidByProviderAsync(connection, contractId).ConfigureAwait(false),
            await EvaluationStore.ActiveChargesAsync(connection, contractId).ConfigureAwait(false),
            await EvaluationStore.MaxLedgerSequenceAsync(connection, contractId).ConfigureAwait(false));
        run.Sequence = await EvaluationStore.MaxDecisionSequenceAsync(connection, contractId).ConfigureAwait(false);

        var workflows = template.Workflows.Where(w => w.IsParticipantScoped).ToList();
        var participantRun = new ParticipantRun(
            run, ledger, workflows, workflows.ToDictionary(w => w.Name, w => ContractValue(parameters.RootElement, w)), CohortTargetSpec.From(template), contractText);
        var total = await EvaluationStore.CountParticipantsAsync(connection, contractId).ConfigureAwait(false);
        var started = time.GetTimestamp();

        // Three stages overlap: this connection reads batch n+2 and both cores evaluate it while a second
        // connection commits batch n. Batches are written in participant order, one transaction each, so a crash
        // leaves a prefix of whole batches; the retry finds them current and unchanged and writes nothing for them.
        var batches = Channel.CreateBounded<Batch>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = WriteBatchesAsync(store, run, batches.Reader, total, started, progress, stopReading, cancellationToken);
        ExceptionDispatchInfo? readFailure = null;
        try
        {
            await ReadAndDecideAsync(store, connection, participantRun, batches.Writer, stopReading.Token).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The writer still commits the whole batches already decided, so the retry has less to do.
            readFailure = ExceptionDispatchInfo.Capture(exception);
        }

        batches.Writer.Complete();
        // A failed writer stopped the reader: its error, thrown here, is the cause; the reader's cancellation its echo.
        var done = await writer.ConfigureAwait(false);
        readFailure?.Throw();
        await EvaluateCohortAsync(connection, store, run, participantRun.Cohort, parameters.RootElement, contractText, cancellationToken).ConfigureAwait(false);
        logger.LogInformation(
            "Evaluated contract {ContractId} as of {AsOf}: {Participants} participants, {Written} decisions written, {Unchanged} unchanged, {Ledger} ledger entries",
            contractId, asOf, done, run.Written, run.Unchanged, run.LedgerWritten);
        return new EvaluationSummary(done, run.Written, run.Unchanged, run.LedgerWritten,
            run.Statuses.GetValueOrDefault("Achieved"), run.Statuses.GetValueOrDefault("NotAchieved"),
            run.Statuses.GetValueOrDefault("NotEvaluable"), run.Statuses.GetValueOrDefault("Error"), run.WriteTime,
            run.ReadTime, run.EvaluateTime, run.DecideTime);
    }

    /// <summary>
    /// Reads the participants in id order, a batch at a time, evaluates each batch on every core and decides it.
    /// The next batch is read while this one is evaluated: reading is one thread's work, and done in turn with
    /// evaluating it left a core idle for half of every batch.
    /// </summary>
    private async Task ReadAndDecideAsync(
        EvaluationStore store, System.Data.Common.DbConnection connection, ParticipantRun participantRun, ChannelWriter<Batch> batches, CancellationToken cancellationToken)
    {
        var run = participantRun.Run;
        var next = ReadBatchAsync(store, connection, run.ContractId, "", cancellationToken);
        try
        {
            while (true)
            {
                var reading = Stopwatch.GetTimestamp();
                var read = await next.ConfigureAwait(false);
                run.ReadTime += Stopwatch.GetElapsedTime(reading);
                if (read.Participants.Count == 0)
                {
                    return;
                }

                // Microsoft.Data.Sqlite runs "async" queries synchronously, so the read gets a thread of its own.
                next = ReadBatchAsync(store, connection, run.ContractId, read.Participants[^1].Id, cancellationToken);

                // The pure part — snapshot, hashes, rule evaluation, serialisation — runs on all cores; what depends
                // on order (sequence numbers, the ledger's running caps, the cohort) runs after it, in participant order.
                var evaluating = Stopwatch.GetTimestamp();
                var participants = read.Participants;
                var evaluated = new EvaluatedParticipant[participants.Count];
                Parallel.For(0, participants.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
                    evaluated[i] = participantRun.Evaluate(participants[i], read.Measurements.GetValueOrDefault(participants[i].Id), read.Current));
                run.EvaluateTime += Stopwatch.GetElapsedTime(evaluating);

                var deciding = Stopwatch.GetTimestamp();
                var batch = new Batch(participants.Count);
                batch.Inputs[run.ContractHash] = participantRun.ContractText;
                foreach (var participant in evaluated)
                {
                    participantRun.Decide(batch, participant);
                }

                run.DecideTime += Stopwatch.GetElapsedTime(deciding);
                await batches.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // The connection goes on to the cohort (or back to the pool): no read may still be running on it.
            try
            {
                await next.ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or System.Data.Common.DbException)
            {
                // What failed is reported by the loop's own exception; a read ahead that failed after it adds nothing.
            }
        }
    }

    /// <summary>One batch's participants after <paramref name="after"/> in id order, their latest measurements and current decisions.</summary>
    private Task<ReadBatch> ReadBatchAsync(
        EvaluationStore store, System.Data.Common.DbConnection connection, string contractId, string after, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            var participants = await store.ParticipantsAfterAsync(connection, contractId, after, _batchSize).ConfigureAwait(false);
            if (participants.Count == 0)
            {
                return new ReadBatch(participants, [], []);
            }

            var last = participants[^1].Id;
            var measurements = LatestByParticipant(await EvaluationStore.MeasurementsAsync(connection, contractId, after, last).ConfigureAwait(false));
            var current = (await EvaluationStore.CurrentDecisionsAsync(connection, contractId, after, last).ConfigureAwait(false))
                .ToDictionary(d => (d.ParticipantId!, d.Workflow, d.Outcome));
            return new ReadBatch(participants, measurements, current);
        }, cancellationToken);

    /// <summary>Commits the batches in the order they were decided, on a connection of its own; returns the participants done.</summary>
    private async Task<int> WriteBatchesAsync(
        EvaluationStore store, RunContext run, ChannelReader<Batch> batches, int total, long started, IProgress<EvaluationProgress>? progress,
        CancellationTokenSource stopReading, CancellationToken cancellationToken)
    {
        await Task.Yield();
        System.Data.Common.DbConnection? connection = null;
        await using var checkpointer = store.Checkpointer();
        try
        {
            connection = await store.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
            var done = 0;
            await foreach (var batch in batches.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await WriteAsync(store, connection, run, batch, cancellationToken).ConfigureAwait(false);
                checkpointer.Signal();
                done += batch.Participants;

                // Reported once committed: what a progress reader sees done survives a crash of the process.
                var seconds = time.GetElapsedTime(started).TotalSeconds;
                progress?.Report(new EvaluationProgress(done, Math.Max(total, done), seconds > 0 ? done / seconds : 0));
            }

            // The writer commits without waiting for the disk; the run is done only once all of it is there.
            var syncing = Stopwatch.GetTimestamp();
            await checkpointer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            run.WriteTime += Stopwatch.GetElapsedTime(syncing);
            return done;
        }
        catch
        {
            await stopReading.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (connection is not null)
            {
                await store.CloseWriterAsync(connection).ConfigureAwait(false);
            }
        }
    }

    private static async Task EvaluateCohortAsync(
        System.Data.Common.DbConnection connection, EvaluationStore store, RunContext run,
        List<Dictionary<string, object?>> cohort, JsonElement parameters, Utf8Text contractText, CancellationToken cancellationToken)
    {
        var workflows = run.Template.Workflows.Where(w => !w.IsParticipantScoped).ToList();
        if (workflows.Count == 0)
        {
            return;
        }

        var current = (await EvaluationStore.CurrentCohortDecisionsAsync(connection, run.ContractId).ConfigureAwait(false))
            .ToDictionary(d => (d.ProviderId ?? "", d.Workflow, d.Outcome));
        var batch = new Batch();
        batch.Inputs[run.ContractHash] = contractText;
        var scopes = cohort.Select(m => (string)m["providerId"]!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Prepend(null);
        foreach (var provider in scopes)
        {
            var members = provider is null ? cohort : cohort.Where(m => (string)m["providerId"]! == provider).ToList();
            var snapshot = InputSnapshot.Create(run.AsOf, writer =>
            {
                writer.WriteString("contractInput", run.ContractHash);
                writer.WriteString("providerId", provider);
                writer.WritePropertyName("cohort");
                RuleResultJson.WriteValue(writer, members);
            });
            batch.Inputs[snapshot.InputHash] = new Utf8Text(snapshot.Utf8);
            foreach (var workflow in workflows)
            {
                var inputs = CohortInputs(workflow, parameters, run.AsOf, members);
                foreach (var result in workflow.Compiled.Evaluate(workflow.Name, inputs))
                {
                    var status = result.Status.ToString();
                    var output = OutputJson(result.ActionOutput);
                    current.TryGetValue((provider ?? "", workflow.Name, result.RuleName), out var existing);
                    if (IsUnchanged(existing, snapshot, status, output))
                    {
                        run.Unchanged++;
                        continue;
                    }

                    batch.Decisions.Add(Numbered(NewDecision(run, result, workflow.Name, null, provider, null, snapshot, output, existing?.Id), ++run.Sequence));
                }
            }
        }

        await WriteAsync(store, connection, run, batch, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteAsync(EvaluationStore store, System.Data.Common.DbConnection connection, RunContext run, Batch batch, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await store.WriteAsync(connection, batch.Inputs.Select(i => (i.Key, i.Value)).ToList(), batch.Decisions, batch.Ledger, cancellationToken).ConfigureAwait(false);
        run.WriteTime += Stopwatch.GetElapsedTime(started);
        run.Add(batch);
    }

    /// <summary>Same data, same status, same output: the current decision stands and nothing is written.</summary>
    private static bool IsUnchanged(CurrentDecision? existing, InputSnapshot snapshot, string status, string? output) =>
        existing is not null && existing.DataHash == snapshot.DataHash && existing.Status == status && existing.ActionOutput == output;

    /// <summary>
    /// A new decision without its sequence number (0), which the caller gives in decision order with
    /// <see cref="Numbered"/>; until then its id is the hash of what it decides; thread-safe.
    /// </summary>
    private static DecisionRow NewDecision(
        RunContext run, RuleResultTree result, string workflow, string? participantId, string? providerId, string? point,
        InputSnapshot snapshot, string? output, string? supersedes)
    {
        var status = result.Status.ToString();
        var id = InputSnapshot.HashJoined(run.ContractId, participantId, providerId, workflow, result.RuleName, point,
            run.Template.BundleHash, snapshot.DataHash, status, output, supersedes);
        return new DecisionRow(id, 0, run.ContractId, participantId, providerId, workflow, result.RuleName, point, status, output,
            new Utf8Text(ResultJsonUtf8(result)), run.Template.BundleHash, EngineVersion, snapshot.InputHash, snapshot.DataHash, run.AsOf, run.RunId, run.Now, supersedes);
    }

    /// <summary>
    /// Gives a new decision its sequence number and its id: the number as 12 hex digits, then 52 of its content hash.
    /// The hash alone would scatter half a million inserts a night across the whole id index, and SQLite's WAL writes
    /// every index page a transaction touches; led by the sequence, one run's ids append at the end of it (three times
    /// fewer bytes written). The id stays what it was: 64 hex digits, the same on a retry, which numbers a decision
    /// exactly as an uninterrupted run does (the committed batches are found unchanged and take no numbers).
    /// </summary>
    private static DecisionRow Numbered(DecisionRow decision, long sequence) =>
        decision with { Sequence = sequence, Id = string.Create(CultureInfo.InvariantCulture, $"{sequence:x12}{decision.Id.AsSpan(0, 52)}") };

    internal static RuleInputs ParticipantInputs(
        TemplateWorkflow workflow, object? contract, JsonElement record, IReadOnlyDictionary<string, JsonDocument> measurements, MeasurementPlan plan, DateOnly asOf)
    {
        // Inputs get their values by their declared type, never by their names: the manifest is the only place a
        // template says what its inputs are, and the loader refused any input that no source below can fill.
        var inputs = new RuleInputs();
        foreach (var (name, type) in workflow.InputTypes)
        {
            switch (workflow.SourceOf(name))
            {
                case InputSource.EvaluationDate:
                    inputs.Set(name, asOf.ToDateTime(TimeOnly.MinValue));
                    break;
                case InputSource.Contract:
                    inputs.Set(name, contract);
                    break;
                case InputSource.Participant:
                    inputs.Set(name, RuleValues.FromJson(record, type));
                    break;
                case InputSource.Measurement:
                    // A loop, not LINQ: this runs for every input of every participant of a night.
                    foreach (var point in plan.Points)
                    {
                        if (point.Input == name && measurements.TryGetValue(point.Id, out var document))
                        {
                            inputs.Set(name, RuleValues.FromJson(document.RootElement, type));
                            break;
                        }
                    }

                    break;
            }
        }

        return inputs;
    }

    /// <summary>The newest version of each point's measurement, per participant.</summary>
    private static Dictionary<string, Dictionary<string, MeasurementRow>> LatestByParticipant(List<MeasurementRow> rows)
    {
        var result = new Dictionary<string, Dictionary<string, MeasurementRow>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!result.TryGetValue(row.ParticipantId, out var points))
            {
                result[row.ParticipantId] = points = new Dictionary<string, MeasurementRow>(StringComparer.Ordinal);
            }

            points.TryAdd(row.Point, row);
        }

        return result;
    }

    /// <summary>The contract parameters converted with the type of the workflow's contract input.</summary>
    private static object? ContractValue(JsonElement json, TemplateWorkflow workflow) =>
        workflow.InputTypes.FirstOrDefault(i => workflow.SourceOf(i.Key) == InputSource.Contract).Value is { } type
            ? RuleValues.FromJson(json, type)
            : RuleValues.FromJson(json);

    /// <summary>A cohort workflow's inputs, by declared type: the evaluation date, the contract and the members.</summary>
    private static RuleInputs CohortInputs(TemplateWorkflow workflow, JsonElement parameters, DateOnly asOf, List<Dictionary<string, object?>> members)
    {
        var inputs = new RuleInputs();
        foreach (var name in workflow.InputTypes.Keys)
        {
            switch (workflow.SourceOf(name))
            {
                case InputSource.EvaluationDate:
                    inputs.Set(name, asOf.ToDateTime(TimeOnly.MinValue));
                    break;
                case InputSource.Contract:
                    inputs.Set(name, ContractValue(parameters, workflow));
                    break;
                case InputSource.Cohort:
                    inputs.Set(name, members.Cast<object?>().ToList());
                    break;
            }
        }

        return inputs;
    }

    [ThreadStatic]
    private static Utf8Scratch? t_json;

    internal static string? OutputJson(object? output)
    {
        if (output is null)
        {
            return null;
        }

        var scratch = Utf8Scratch.For(ref t_json);
        var writer = scratch.Start();
        RuleResultJson.WriteValue(writer, output);
        writer.Flush();
        return Encoding.UTF8.GetString(scratch.Written);
    }

    internal static string ResultJson(RuleResultTree result) => Encoding.UTF8.GetString(ResultJsonUtf8(result));

    private static byte[] ResultJsonUtf8(RuleResultTree result)
    {
        var scratch = Utf8Scratch.For(ref t_json);
        var writer = scratch.Start();
        RuleResultJson.WriteResult(writer, result);
        writer.Flush();
        return scratch.Written.ToArray();
    }

    /// <summary>What one batch read from the database: participants, their newest measurement per point, current decisions.</summary>
    private sealed record ReadBatch(
        List<ParticipantRow> Participants,
        Dictionary<string, Dictionary<string, MeasurementRow>> Measurements,
        Dictionary<(string, string, string), CurrentDecision> Current);

    /// <summary>What one write transaction carries.</summary>
    private sealed class Batch(int participants = 0)
    {
        public int Participants { get; } = participants;

        public Dictionary<string, Utf8Text> Inputs { get; } = new(StringComparer.Ordinal);

        public List<DecisionRow> Decisions { get; } = [];

        public List<LedgerRow> Ledger { get; } = [];
    }

    /// <summary>State shared by every batch of one run.</summary>
    private sealed class RunContext(string contractId, string runId, TemplateVersion template, string contractHash, DateOnly asOf, DateTimeOffset now)
    {
        public string ContractId { get; } = contractId;

        public string RunId { get; } = runId;

        public TemplateVersion Template { get; } = template;

        public string ContractHash { get; } = contractHash;

        public DateOnly AsOf { get; } = asOf;

        public DateTimeOffset Now { get; } = now;

        public long Sequence { get; set; }

        public int Written { get; private set; }

        public int Unchanged { get; set; }

        public TimeSpan WriteTime { get; set; }

        public TimeSpan ReadTime { get; set; }

        public TimeSpan EvaluateTime { get; set; }

        public TimeSpan DecideTime { get; set; }

        public int LedgerWritten { get; private set; }

        public Dictionary<string, int> Statuses { get; } = new(StringComparer.Ordinal);

        public void Add(Batch batch)
        {
            Written += batch.Decisions.Count;
            LedgerWritten += batch.Ledger.Count;
        }
    }

    /// <summary>One participant's snapshot and rule results, computed without touching shared state.</summary>
    private sealed record EvaluatedParticipant(ParticipantRow Participant, InputSnapshot Snapshot, string? Point, string? ExitReason, EvaluatedOutcome[] Outcomes);

    /// <summary>
    /// One rule result. <see cref="Decision"/> is null when the current decision stands; otherwise it is the new
    /// decision, complete but for its sequence number, which only the ordered pass can give.
    /// </summary>
    private sealed record EvaluatedOutcome(string Workflow, RuleResultTree Result, string Status, DecisionRow? Decision);

    /// <summary>The participant part of a run: what every participant is evaluated against, and the ordered state.</summary>
    private sealed class ParticipantRun(
        RunContext run, LedgerState ledger, List<TemplateWorkflow> workflows, Dictionary<string, object?> contractValues, CohortTargetSpec? target, Utf8Text contractText)
    {
        public RunContext Run => run;

        public Utf8Text ContractText => contractText;

        public List<Dictionary<string, object?>> Cohort { get; } = [];

        /// <summary>Thread-safe: reads only what the batch read and the run's fixed settings.</summary>
        public EvaluatedParticipant Evaluate(
            ParticipantRow participant, Dictionary<string, MeasurementRow>? latest, Dictionary<(string, string, string), CurrentDecision> current)
        {
            latest ??= [];
            var plan = run.Template.MeasurementPlan;
            var snapshot = InputSnapshot.Create(run.AsOf, writer =>
            {
                writer.WriteString("contractInput", run.ContractHash);
                writer.WritePropertyName("participant");
                writer.WriteRawValue(participant.Record, skipInputValidation: true);
                foreach (var point in plan.Points)
                {
                    writer.WritePropertyName(point.Input);
                    if (latest.TryGetValue(point.Id, out var measurement))
                    {
                        writer.WriteRawValue(measurement.Document, skipInputValidation: true);
                    }
                    else
                    {
                        writer.WriteNullValue();
                    }
                }
            });
            var measurementPoint = plan.Points.LastOrDefault(p => latest.ContainsKey(p.Id))?.Id;
            using var record = JsonDocument.Parse(participant.Record);
            var documents = new Dictionary<string, JsonDocument>(StringComparer.Ordinal);
            try
            {
                foreach (var (point, measurement) in latest)
                {
                    documents[point] = JsonDocument.Parse(measurement.Document);
                }

                var outcomes = new List<EvaluatedOutcome>(workflows.Count * 8);
                foreach (var workflow in workflows)
                {
                    var inputs = ParticipantInputs(workflow, contractValues[workflow.Name], record.RootElement, documents, plan, run.AsOf);
                    foreach (var result in workflow.Compiled.Evaluate(workflow.Name, inputs))
                    {
                        var status = result.Status.ToString();
                        var output = OutputJson(result.ActionOutput);
                        current.TryGetValue((participant.Id, workflow.Name, result.RuleName), out var existing);
                        var decision = IsUnchanged(existing, snapshot, status, output)
                            ? null
                            : NewDecision(run, result, workflow.Name, participant.Id, participant.ProviderId, measurementPoint, snapshot, output, existing?.Id);
                        outcomes.Add(new EvaluatedOutcome(workflow.Name, result, status, decision));
                    }
                }

                var exit = target?.ExitReasonField is { } field && record.RootElement.TryGetProperty(field, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                return new EvaluatedParticipant(participant, snapshot, measurementPoint, exit, [.. outcomes]);
            }
            finally
            {
                foreach (var document in documents.Values)
                {
                    document.Dispose();
                }
            }
        }

        /// <summary>Not thread-safe: numbers the new decisions, books their ledger entries and adds the cohort member.</summary>
        public void Decide(Batch batch, EvaluatedParticipant evaluated)
        {
            var participant = evaluated.Participant;
            foreach (var outcome in evaluated.Outcomes)
            {
                run.Statuses[outcome.Status] = run.Statuses.GetValueOrDefault(outcome.Status) + 1;
                if (outcome.Decision is null)
                {
                    run.Unchanged++;
                }
                else
                {
                    var decision = Numbered(outcome.Decision, ++run.Sequence);
                    batch.Decisions.Add(decision);
                    batch.Inputs.TryAdd(evaluated.Snapshot.InputHash, new Utf8Text(evaluated.Snapshot.Utf8));
                    if (ledger.Model.Find(outcome.Workflow, outcome.Result.RuleName) is { } payment)
                    {
                        batch.Ledger.AddRange(ledger.Apply(payment, decision.Id, participant.Id, participant.ProviderId, outcome.Status, outcome.Result.ActionOutput));
                    }
                }

                if (target is not null && outcome.Workflow == target.Workflow && outcome.Result.RuleName == target.Rule)
                {
                    var member = new Dictionary<string, object?>(StringComparer.Ordinal)
                    {
                        ["pseudonym"] = participant.Pseudonym,
                        ["providerId"] = participant.ProviderId,
                        [target.MemberStatusProperty] = outcome.Status,
                    };
                    if (target.ExitReasonField is { } exitReason)
                    {
                        member[exitReason] = evaluated.ExitReason;
                    }

                    Cohort.Add(member);
                }
            }
        }
    }
}

/// <summary>
/// Which outcome the cohort target counts, the member field carrying its status and the participant field (if any)
/// carrying the exit reason — all as the manifest declares them; the loader checked them against the schemas.
/// </summary>
internal sealed record CohortTargetSpec(string Workflow, string Rule, string MemberStatusProperty, string? ExitReasonField)
{
    public static CohortTargetSpec? From(TemplateVersion template) =>
        template.Declared.CohortTarget is { TargetOutcome: { Workflow: { } workflow, Rule: { } rule }, MemberStatusProperty: { } property }
            ? new CohortTargetSpec(workflow, rule, property, template.Declared.ParticipantFields?.ExitReason)
            : null;
}
