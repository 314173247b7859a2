using ConfigurableContracts.Rules.Compilation;

namespace ConfigurableContracts.Rules.Evaluation;

/// <summary>
/// Compiled workflows, immutable and safe to evaluate from many threads at once. Cache one per
/// <see cref="ContentHash"/> (combined with the input schemas and functions it was compiled against).
/// </summary>
public sealed class CompiledWorkflowSet
{
    private readonly Dictionary<string, CompiledWorkflow> _workflows;

    internal CompiledWorkflowSet(Dictionary<string, CompiledWorkflow> workflows, string contentHash)
    {
        _workflows = workflows;
        ContentHash = contentHash;
    }

    /// <summary>SHA-256 of the normalised workflow JSON (see <see cref="Workflows.WorkflowSetHash"/>).</summary>
    public string ContentHash { get; }

    public IReadOnlyCollection<string> WorkflowNames => _workflows.Keys;

    public bool Contains(string workflowName) => _workflows.ContainsKey(workflowName);

    /// <summary>
    /// Runs every enabled rule of <paramref name="workflowName"/> against <paramref name="inputs"/>. Never throws
    /// because of a rule: failures become that rule's Error result and the other rules still run.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No workflow has that name.</exception>
    public IReadOnlyList<RuleResultTree> Evaluate(string workflowName, RuleInputs inputs) =>
        Evaluator.EvaluateWorkflow(this, Workflow(workflowName), inputs, depth: 0);

    internal CompiledWorkflow Workflow(string workflowName) =>
        _workflows.TryGetValue(workflowName, out var workflow)
            ? workflow
            : throw new KeyNotFoundException($"No workflow named '{workflowName}'. Known: {string.Join(", ", _workflows.Keys)}.");
}
