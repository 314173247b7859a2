using System.Text.Json;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Privacy;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;
using Dapper;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>What a replay found: the stored result tree, the one computed again, and whether they are byte-identical.</summary>
public sealed record ReplayResult(
    string DecisionId,
    string Workflow,
    string Outcome,
    bool Identical,
    string StoredResult,
    string ReplayedResult,
    string BundleHash,
    string InputHash,
    string StoredEngineVersion,
    string ReplayEngineVersion);

/// <summary>
/// Re-evaluates a stored decision from the bundle and input snapshot it was made with, so a commissioner or an
/// independent verifier can show that a decision follows from its recorded data and rules — on any machine,
/// under any culture or time zone. A decision whose data was removed under retention cannot be replayed: that is
/// a <see cref="DecisionDataRemovedException"/>, not a missing decision.
/// </summary>
public sealed class DecisionReplay(DbConnectionFactory connections, BundleTemplates bundles)
{
    public async Task<ReplayResult?> ReplayAsync(string decisionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var decision = await connection.QuerySingleOrDefaultAsync<StoredDecision>(RequestCommand.Of(
            """
            SELECT id AS Id, workflow AS Workflow, outcome AS Outcome, result_tree AS ResultTree, bundle_hash AS BundleHash,
                   input_hash AS InputHash, engine_version AS EngineVersion
            FROM decisions WHERE id = @decisionId
            """, new { decisionId }, cancellationToken)).ConfigureAwait(false);
        if (decision is null)
        {
            return null;
        }

        var snapshotText = await SnapshotAsync(connection, decision.InputHash, cancellationToken).ConfigureAwait(false);
        if ((RetentionMarker.RemovedOn(snapshotText) ?? RetentionMarker.RemovedOn(decision.ResultTree)) is { } removedOn)
        {
            throw new DecisionDataRemovedException(decision.Id, removedOn);
        }

        using var snapshot = JsonDocument.Parse(snapshotText);
        var contractHash = snapshot.RootElement.GetProperty("contractInput").GetString()!;
        using var contractPart = JsonDocument.Parse(await SnapshotAsync(connection, contractHash, cancellationToken).ConfigureAwait(false));

        var template = await bundles.GetAsync(decision.BundleHash, cancellationToken).ConfigureAwait(false);
        var workflow = template.Workflows.Single(w => w.Name == decision.Workflow);
        var inputs = Inputs(workflow, snapshot.RootElement, contractPart.RootElement.GetProperty("contract"));
        var result = workflow.Compiled.Evaluate(workflow.Name, inputs).Single(r => r.RuleName == decision.Outcome);
        var replayed = DecisionSerialisation.ResultJson(result);
        return new ReplayResult(decision.Id, decision.Workflow, decision.Outcome, string.Equals(replayed, decision.ResultTree, StringComparison.Ordinal),
            decision.ResultTree, replayed, decision.BundleHash, decision.InputHash, decision.EngineVersion, ContractEvaluator.EngineVersion);
    }

    /// <summary>Rebuilds the rule inputs exactly as the evaluator built them from the snapshot's parts.</summary>
    private static RuleInputs Inputs(TemplateWorkflow workflow, JsonElement snapshot, JsonElement contract)
    {
        var inputs = new RuleInputs();
        foreach (var (name, type) in workflow.InputTypes)
        {
            // The snapshot keeps the participant under "participant", each measurement under its input's name and
            // the members under "cohort", whatever the workflow calls them; the declared type says which is which.
            var source = workflow.SourceOf(name);
            var key = source switch { InputSource.Participant => "participant", InputSource.Cohort => "cohort", _ => name };
            if (source == InputSource.Contract)
            {
                inputs.Set(name, RuleValues.FromJson(contract, type));
            }
            else if (source == InputSource.EvaluationDate)
            {
                inputs.Set(name, DateOnly.ParseExact(snapshot.GetProperty("asOf").GetString()!, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue));
            }
            else if (snapshot.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                inputs.Set(name, RuleValues.FromJson(value, type));
            }
        }

        return inputs;
    }

    private static async Task<string> SnapshotAsync(System.Data.Common.DbConnection connection, string hash, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<string>(RequestCommand.Of("SELECT snapshot FROM evaluation_inputs WHERE input_hash = @hash", new { hash }, cancellationToken)).ConfigureAwait(false)
        ?? throw new InvalidOperationException($"The input snapshot {hash} is missing.");

    private sealed record StoredDecision
    {
        public required string Id { get; init; }

        public required string Workflow { get; init; }

        public required string Outcome { get; init; }

        public required string ResultTree { get; init; }

        public required string BundleHash { get; init; }

        public required string InputHash { get; init; }

        public required string EngineVersion { get; init; }
    }
}
