using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConfigurableContracts.Rules;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Conformance;

/// <summary>How a rule fares on Microsoft RulesEngine, judged by the template's own test cases.</summary>
public enum Portability
{
    /// <summary>RulesEngine gave our answer in every case that reached the rule.</summary>
    Portable,

    /// <summary>The answers differ only where data is missing: ours is NotEvaluable, RulesEngine says false or throws.</summary>
    DiffersOnMissingData,

    /// <summary>RulesEngine gives another answer in at least one case.</summary>
    Differs,

    /// <summary>RulesEngine cannot run the rule at all (it throws in every case, or cannot load the file).</summary>
    NotRunnable,

    /// <summary>No test case reaches the rule, so nothing is known.</summary>
    NotExercised,
}

/// <summary>One rule's verdict, where it is written, and the findings behind it.</summary>
public sealed record RulePortability(
    string Workflow, string RulePath, SourceLocation Location, Portability Verdict, int Cases, int Agreeing, IReadOnlyList<string> Findings);

/// <summary>
/// Runs a template's rule test cases on Microsoft RulesEngine as well, and says rule by rule whether the template's
/// workflows would give the same answers there — so a municipality knows what of its template is portable.
/// RulesEngine gets all the template's workflow files at once (WorkflowsToInject may cross files) and each case's
/// inputs as JSON, the way its users pass them.
/// </summary>
public sealed partial class PortabilityCheck
{
    private const int FindingsPerRule = 3;

    private readonly RulesEngineOracle _oracle;
    private readonly List<(WorkflowDefinition Workflow, RuleDefinition Rule, string Path)> _rules = [];
    private readonly Dictionary<(string Workflow, string Path), Tally> _tallies = [];

    /// <param name="workflowFiles">Each workflow file of the template: display path to its text.</param>
    public PortabilityCheck(IReadOnlyDictionary<string, string> workflowFiles)
    {
        var sources = new List<JsonElement>();
        foreach (var (path, text) in workflowFiles.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var read = WorkflowReader.Read(path, text);
            foreach (var workflow in read.Workflows)
            {
                sources.Add(workflow.Source);
                AddRules(workflow, workflow.Rules, "");
            }
        }
        _oracle = RulesEngineOracle.Load(JsonSerializer.Serialize(sources));
    }

    /// <summary>Runs one case on RulesEngine and compares it with our results for the same case.</summary>
    public void AddCase(string caseName, string workflowName, IReadOnlyDictionary<string, JsonElement> inputs, IReadOnlyList<RuleResultTree> ours)
    {
        var theirs = _oracle.Run(workflowName, inputs);
        Walk(ours, theirs.Ran ? theirs.Results : null, "");

        // theirResults null: RulesEngine could not run the workflow, or has no result for the parent rule.
        void Walk(IReadOnlyList<RuleResultTree> ourResults, IReadOnlyList<OracleRuleResult>? theirResults, string parent)
        {
            foreach (var our in ourResults)
            {
                var path = parent.Length == 0 ? our.RuleName : $"{parent}/{our.RuleName}";
                var their = theirResults?.FirstOrDefault(r => r.RuleName == our.RuleName);
                var tally = TallyOf(workflowName, path);
                tally.Cases++;
                var difference = theirResults is null && !theirs.Ran
                    ? new RuleDifference(path, DifferenceKind.Missing, "", $"cannot run the workflow: {theirs.Failure}")
                    : ResultComparison.CompareRule(path, our, their);
                if (difference is null)
                {
                    tally.Agreeing++;
                }
                else
                {
                    if (their is null || their.HasError && our.Status != RuleStatus.Error) tally.TheirErrors++;
                    if (our.Status == RuleStatus.NotEvaluable) tally.OursNotEvaluable++;
                    if (tally.Findings.Count < FindingsPerRule)
                        tally.Findings.Add($"case \"{caseName}\": ours {Ours(our)}, RulesEngine {(their is null ? difference.Theirs : Theirs(their))}");
                }
                Walk(our.ChildResults ?? [], their?.Children, path);
            }
        }
    }

    /// <summary>Every rule of the template's workflows, in file order, with its verdict.</summary>
    public IReadOnlyList<RulePortability> Rules()
    {
        var verdicts = new List<RulePortability>();
        foreach (var (workflow, rule, path) in _rules)
        {
            var tally = _tallies.GetValueOrDefault((workflow.Name, path)) ?? new Tally();
            var findings = new List<string>();
            var calls = FunctionsCalled(workflow, rule);
            if (calls.Count > 0)
                findings.Add($"calls the template's JavaScript {string.Join(", ", calls)}: RulesEngine has no such functions (a port registers a C# type in ReSettings.CustomTypes instead)");
            Portability verdict;
            if (_oracle.LoadFailure is { } failure)
            {
                verdict = Portability.NotRunnable;
                findings.Add($"RulesEngine cannot load the workflow files: {failure}");
            }
            else if (tally.Cases == 0)
            {
                verdict = Portability.NotExercised;
            }
            else if (tally.Agreeing == tally.Cases)
            {
                verdict = Portability.Portable;
            }
            else if (tally.TheirErrors == tally.Cases)
            {
                verdict = Portability.NotRunnable;
            }
            else if (tally.OursNotEvaluable == tally.Cases - tally.Agreeing)
            {
                verdict = Portability.DiffersOnMissingData;
            }
            else
            {
                verdict = Portability.Differs;
            }
            findings.AddRange(tally.Findings);
            verdicts.Add(new RulePortability(workflow.Name, path, rule.Location, verdict, tally.Cases, tally.Agreeing, findings));
        }
        return verdicts;
    }

    /// <summary>
    /// A verdict as <c>file:line:col: severity CODE: message</c> for editors and CI logs. Case names and RulesEngine's
    /// messages are quoted as they are; a caller printing one verdict per line escapes them.
    /// </summary>
    public static string Format(RulePortability rule)
    {
        var (severity, summary) = rule.Verdict switch
        {
            Portability.Portable => ("info", $"portable: RulesEngine agrees in all {rule.Cases} cases"),
            Portability.DiffersOnMissingData => ("warning", $"differs only on missing data in {rule.Cases - rule.Agreeing} of {rule.Cases} cases (NotEvaluable here; RulesEngine has no third result)"),
            Portability.Differs => ("warning", $"RulesEngine answers differently in {rule.Cases - rule.Agreeing} of {rule.Cases} cases"),
            Portability.NotRunnable => ("warning", "RulesEngine cannot run this rule"),
            _ => ("warning", "no test case reaches this rule, so its portability is unknown"),
        };
        var text = new StringBuilder($"{rule.Location}: {severity} {Code(rule.Verdict)}: {rule.Workflow}/{rule.RulePath}: {summary}");
        foreach (var finding in rule.Findings) text.Append("; ").Append(finding);
        return text.ToString();
    }

    /// <summary>The diagnostic code of each verdict, so CI can filter them.</summary>
    public static string Code(Portability verdict) => verdict switch
    {
        Portability.Portable => "CCP0001",
        Portability.DiffersOnMissingData => "CCP0002",
        Portability.Differs => "CCP0003",
        Portability.NotRunnable => "CCP0004",
        _ => "CCP0005",
    };

    private void AddRules(WorkflowDefinition workflow, IReadOnlyList<RuleDefinition> rules, string parent)
    {
        foreach (var rule in rules.Where(r => r.Enabled))
        {
            var path = parent.Length == 0 ? rule.Name : $"{parent}/{rule.Name}";
            _rules.Add((workflow, rule, path));
            AddRules(workflow, rule.Rules, path);
        }
    }

    private Tally TallyOf(string workflow, string path)
    {
        if (!_tallies.TryGetValue((workflow, path), out var tally)) _tallies[(workflow, path)] = tally = new Tally();
        return tally;
    }

    /// <summary>The <c>fn.*</c> functions a rule reaches: its expression, parameters and actions, and the workflow's globals.</summary>
    private static List<string> FunctionsCalled(WorkflowDefinition workflow, RuleDefinition rule)
    {
        var texts = new List<string?> { rule.Expression?.Text, rule.OnSuccess?.Expression?.Text, rule.OnFailure?.Expression?.Text };
        texts.AddRange(rule.LocalParams.Select(p => p.Expression.Text));
        texts.AddRange(workflow.GlobalParams.Select(p => p.Expression.Text));
        return texts.Where(t => t is not null)
            .SelectMany(t => FunctionCall().Matches(t!).Select(m => m.Value))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static string Ours(RuleResultTree result) => result.Status switch
    {
        RuleStatus.Error or RuleStatus.NotEvaluable => $"{result.Status} ({result.Reason})",
        _ => $"{result.Status}{(result.ActionOutput is null ? "" : $" with output {OracleValues.Describe(result.ActionOutput)}")}",
    };

    private static string Theirs(OracleRuleResult result) =>
        result.HasError
            ? $"threw: {FirstLine(result.ExceptionMessage.Length > 0 ? result.ExceptionMessage : result.ActionException!)}"
            : $"isSuccess {(result.IsSuccess ? "true" : "false")}{(result.Output is null ? "" : $" with output {OracleValues.Describe(result.Output)}")}";

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    [GeneratedRegex(@"\bfn\.[A-Za-z_][A-Za-z0-9_]*", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex FunctionCall();

    private sealed class Tally
    {
        public int Cases;
        public int Agreeing;
        public int TheirErrors;
        public int OursNotEvaluable;
        public List<string> Findings { get; } = [];
    }
}
