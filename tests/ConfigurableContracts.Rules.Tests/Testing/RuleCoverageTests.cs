using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Testing;

namespace ConfigurableContracts.Rules.Tests.Testing;

public class RuleCoverageTests
{
    private static RuleResultTree Rule(string name, RuleStatus status, params RuleResultTree[] children) =>
        new() { RuleName = name, Status = status, ChildResults = children.Length == 0 ? null : children };

    [Fact]
    public void Add_CountsEveryRuleOfTheActualTree_NestedRulesByTheirPath()
    {
        var coverage = new RuleCoverage();

        coverage.Add("W", [Rule("Outcome", RuleStatus.NotAchieved, Rule("Improved", RuleStatus.Achieved), Rule("Active", RuleStatus.NotAchieved)), Rule("Payment", RuleStatus.NotEvaluable)]);
        coverage.Add("W", [Rule("Outcome", RuleStatus.Achieved, Rule("Improved", RuleStatus.Achieved), Rule("Active", RuleStatus.Achieved)), Rule("Payment", RuleStatus.Error)]);

        Assert.Equal(2, coverage.Count(new CoveredRule("W", "Outcome/Improved"), RuleStatus.Achieved));
        Assert.Equal(1, coverage.Count(new CoveredRule("W", "Outcome/Active"), RuleStatus.NotAchieved));
        Assert.Equal(1, coverage.Count(new CoveredRule("W", "Outcome"), RuleStatus.Achieved));
        Assert.Equal(1, coverage.Count(new CoveredRule("W", "Payment"), RuleStatus.Error));
        Assert.Equal(0, coverage.Count(new CoveredRule("Other", "Payment"), RuleStatus.Error));
    }

    [Fact]
    public void Format_ListsRulesInTreeOrder_MarksCheckedRules_AndNamesAWorkflowNoCaseRuns()
    {
        var coverage = new RuleCoverage();
        coverage.AddWorkflow("W");
        coverage.AddWorkflow("Cohort");
        coverage.Add("W", [Rule("Outcome", RuleStatus.NotAchieved, Rule("Improved", RuleStatus.Achieved)), Rule("Payment", RuleStatus.NotEvaluable)]);

        var lines = coverage.Format(new HashSet<CoveredRule> { new("W", "Payment") });

        Assert.Equal(5, lines.Count);
        Assert.Matches(@"^  W +Achieved +NotAchieved +NotEvaluable +Error$", lines[0]);
        Assert.Matches(@"^      Outcome +0 +1 +0 +0$", lines[1]);
        Assert.Matches(@"^      Outcome/Improved +1 +0 +0 +0$", lines[2]);
        Assert.Matches(@"^    \* Payment +0 +0 +1 +0$", lines[3]);
        Assert.Equal("  Cohort: no case runs this workflow", lines[4]);
    }
}
