using System.Globalization;
using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Rules.Testing;

/// <summary>One rule of one workflow, by its path ("Parent/Child" for a nested rule).</summary>
public readonly record struct CoveredRule(string Workflow, string RulePath)
{
    public override string ToString() => $"{Workflow}: {RulePath}";
}

/// <summary>
/// How many test cases brought each rule to each status, counted from the result trees the cases actually
/// produced — every rule in them, not only the ones a case names. A rule whose NotAchieved branch no case reaches
/// is a rule whose threshold no test would notice moving.
/// </summary>
public sealed class RuleCoverage
{
    private static readonly RuleStatus[] Statuses = Enum.GetValues<RuleStatus>();

    // Rules in the order they first appear (workflow order, then rule order), as the table lists them.
    private readonly Dictionary<CoveredRule, int[]> _counts = [];
    private readonly List<CoveredRule> _order = [];
    private readonly List<string> _workflows = [];

    /// <summary>Lists <paramref name="workflow"/> even when no case runs it, so its absence shows in the table.</summary>
    public void AddWorkflow(string workflow)
    {
        if (!_workflows.Contains(workflow)) _workflows.Add(workflow);
    }

    /// <summary>Counts every rule of one case's actual result tree, nested rules included.</summary>
    public void Add(string workflow, IReadOnlyList<RuleResultTree> results)
    {
        AddWorkflow(workflow);
        foreach (var result in results) Add(workflow, "", result);
    }

    private void Add(string workflow, string parent, RuleResultTree result)
    {
        var rule = new CoveredRule(workflow, parent + result.RuleName);
        if (!_counts.TryGetValue(rule, out var counts))
        {
            counts = new int[Statuses.Length];
            _counts[rule] = counts;
            _order.Add(rule);
        }
        counts[(int)result.Status]++;
        foreach (var child in result.ChildResults ?? []) Add(workflow, rule.RulePath + "/", child);
    }

    /// <summary>How many cases brought <paramref name="rule"/> to <paramref name="status"/>.</summary>
    public int Count(CoveredRule rule, RuleStatus status) => _counts.TryGetValue(rule, out var counts) ? counts[(int)status] : 0;

    /// <summary>
    /// The table <c>contracts test</c> prints: a row per rule, a column per status; rules in
    /// <paramref name="marked"/> (those <c>--require-coverage</c> checks) carry a <c>*</c>.
    /// </summary>
    public IReadOnlyList<string> Format(IReadOnlySet<CoveredRule> marked)
    {
        var width = Math.Max(24, _order.Select(r => r.RulePath.Length + 4).DefaultIfEmpty(0).Max());
        var header = string.Concat(Statuses.Select(s => s.ToString().PadLeft(13)));
        var lines = new List<string>();
        foreach (var workflow in _workflows)
        {
            var rules = _order.Where(r => r.Workflow == workflow).ToList();
            lines.Add(rules.Count == 0 ? $"  {workflow}: no case runs this workflow" : $"  {workflow.PadRight(width + 2)}{header}");
            foreach (var rule in rules)
            {
                var name = (marked.Contains(rule) ? "* " : "  ") + rule.RulePath;
                lines.Add($"    {name.PadRight(width)}{string.Concat(_counts[rule].Select(c => c.ToString(CultureInfo.InvariantCulture).PadLeft(13)))}");
            }
        }
        return lines;
    }
}
