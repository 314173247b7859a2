using System.Globalization;
using System.Reflection;
using System.Text.Json;
using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Diagnostics;
using ConfigurableContracts.Core.Payments;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules.Evaluation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>
/// Evaluates one contract as of a date: every participant through the template's participant workflows, then the
/// cohort workflows for the whole contract and per provider, writing decisions and ledger entries.
/// </summary>
/// <remarks>
/// Idempotent and crash-safe by construction: a decision is written only when its data, status or output differs
/// from the current one, its id is a hash of what it decides and which decision it supersedes, and each batch of
/// participants commits atomically. A run retried after a crash therefore rewrites nothing it already committed.
/// The jobs have homes of their own: <see cref="EvaluationPipeline"/> (read, evaluate and commit, overlapped),
/// <see cref="ParticipantDecisions"/> (each participant's outcomes, numbering, ledger, cohort members),
/// <see cref="CohortEvaluation"/>, <see cref="DecisionChanges"/> and <see cref="DecisionSerialisation"/>.
/// It is also the product's <see cref="IContractEvaluation"/>, the evaluation the scheduler's runs call.
/// </remarks>
public sealed class ContractEvaluator(
    DbConnectionFactory connections, BundleTemplates bundles, IOptions<SchedulerOptions> options, TimeProvider time, ILogger<ContractEvaluator> logger)
    : IContractEvaluation
{
    // SchedulerOptionsValidator, registered by AddContractsCore for the server and the CLI alike, has refused a batch
    // of 0 (which would evaluate nobody and decide the cohort empty) before the options reach here.
    private readonly int _batchSize = options.Value.BatchSize;

    /// <summary>The rule engine's version, recorded on every decision.</summary>
    public static string EngineVersion { get; } =
        typeof(CompiledWorkflowSet).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>
    /// A run's evaluation: as of the Europe/Stockholm date of the run's scheduled instant, so a retried or recovered
    /// run decides for the same night; what it wrote is stored with the run as named counts.
    /// </summary>
    async Task<EvaluationOutcome> IContractEvaluation.RunAsync(string contractId, EvaluationRun run, IProgress<EvaluationProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(progress);
        EvaluationSummary summary;
        try
        {
            summary = await EvaluateAsync(contractId, run.Id, ContractCalendar.DateOf(run.ScheduledFor), progress, cancellationToken).ConfigureAwait(false);
        }
        catch (ContractNotEvaluableException exception)
        {
            throw new ContractEvaluationException(exception.Message, exception);
        }

        return new EvaluationOutcome(summary.Participants, new Dictionary<string, long>
        {
            ["participants"] = summary.Participants,
            ["decisionsWritten"] = summary.DecisionsWritten,
            ["decisionsUnchanged"] = summary.DecisionsUnchanged,
            ["ledgerEntriesWritten"] = summary.LedgerEntriesWritten,
            ["achieved"] = summary.Achieved,
            ["notAchieved"] = summary.NotAchieved,
            ["notEvaluable"] = summary.NotEvaluable,
            ["errors"] = summary.Errors,
        });
    }

    public async Task<EvaluationSummary> EvaluateAsync(string contractId, string runId, DateOnly asOf, IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        var store = new EvaluationStore(connections);
        await using var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        var contract = await EvaluationStore.ContractAsync(connection, contractId).ConfigureAwait(false)
            ?? throw new ContractNotEvaluableException($"No contract '{contractId}'.");
        if (contract.Status is not (ContractStatus.Active or ContractStatus.Closed))
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
        var decisions = new ParticipantDecisions(
            run, ledger, workflows, workflows.ToDictionary(w => w.Name, w => WorkflowInputs.ContractValue(parameters.RootElement, w)),
            CohortTargetSpec.From(template), contractText);
        var total = await EvaluationStore.CountParticipantsAsync(connection, contractId).ConfigureAwait(false);

        var done = await new EvaluationPipeline(store, _batchSize)
            .RunAsync(connection, decisions, total, progress, cancellationToken).ConfigureAwait(false);
        await CohortEvaluation.EvaluateAsync(connection, store, run, decisions.Cohort, parameters.RootElement, contractText, cancellationToken).ConfigureAwait(false);
        logger.LogInformation(
            "Evaluated contract {ContractId} as of {AsOf}: {Participants} participants, {Written} decisions written, {Unchanged} unchanged, {Ledger} ledger entries",
            contractId, asOf, done, run.Written, run.Unchanged, run.LedgerWritten);
        ContractsTelemetry.Evaluated(template.Id, run.Written, run.Count(RuleStatus.Error));
        return new EvaluationSummary(done, run.Written, run.Unchanged, run.LedgerWritten,
            run.Count(RuleStatus.Achieved), run.Count(RuleStatus.NotAchieved), run.Count(RuleStatus.NotEvaluable), run.Count(RuleStatus.Error),
            run.WriteTime, run.ReadTime, run.EvaluateTime, run.DecideTime);
    }
}
