using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Conformance.Tests;

public class OracleSmokeTests
{
    [Theory]
    [InlineData("participant.age >= 12 && participant.name.StartsWith(\"A\")")]
    [InlineData("participant.reports.Count(r => r.severity > 2) == 1")]
    [InlineData("participant.age * 2 + 1 > 27")]
    public void BothEngines_Agree_OnOrdinaryRules(string expression)
    {
        var result = Oracle.Run(Oracle.SingleRule(expression),
            """{ "participant": { "age": 13, "name": "Alva", "reports": [ { "severity": 3 }, { "severity": 1 } ] } }""");

        Assert.True(result.Theirs.Ran, result.Theirs.Failure);
        Assert.True(result.Agree, string.Join("\n", result.Differences));
    }

    [Fact]
    public void Comparison_ReportsOutputDifference_WhenOutputsDifferInValue()
    {
        var ours = new[] { new RuleResultTree { RuleName = "R", Status = RuleStatus.Achieved, ActionOutput = 3.5m } };
        var theirs = new OracleRun([new OracleRuleResult("R", true, "", 3.0, null, [])], null);

        var difference = Assert.Single(ResultComparison.Compare(ours, theirs));

        Assert.Equal(DifferenceKind.Output, difference.Kind);
    }

    [Fact]
    public void Comparison_ReportsNoDifference_WhenDecimalMeetsEqualDouble()
    {
        var ours = new[] { new RuleResultTree { RuleName = "R", Status = RuleStatus.Achieved, ActionOutput = 0.3m } };
        var theirs = new OracleRun([new OracleRuleResult("R", true, "", 0.1 + 0.2, null, [])], null);

        Assert.Empty(ResultComparison.Compare(ours, theirs));
    }

    [Fact]
    public void Comparison_ReportsErrorDifference_WhenOnlyRulesEngineThrows()
    {
        var ours = new[] { new RuleResultTree { RuleName = "R", Status = RuleStatus.NotEvaluable, Reason = "missing" } };
        var theirs = new OracleRun([new OracleRuleResult("R", false, "Object reference not set", null, null, [])], null);

        Assert.Equal(DifferenceKind.Error, Assert.Single(ResultComparison.Compare(ours, theirs)).Kind);
    }

    [Fact]
    public void Oracle_ReadsFailedRulesErrorMessage_AsAFailureNotAnError()
    {
        var workflow = """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "ErrorMessage": "Too few: $(p.n)", "Expression": "p.n > 5" } ] }""";

        var result = Oracle.Run(workflow, """{ "p": { "n": 2 } }""");

        var theirs = Assert.Single(result.Theirs.Results);
        Assert.False(theirs.HasError);
        Assert.Equal("Too few: 2", theirs.ErrorMessage);
        Assert.True(result.Agree, string.Join("\n", result.Differences));
    }

    [Fact]
    public void Comparison_ReportsMessageDifference_WhenFormattedErrorMessagesDiffer()
    {
        var ours = new[] { new RuleResultTree { RuleName = "R", Status = RuleStatus.NotAchieved, ExceptionMessage = "Too few: $(p.n)" } };
        var theirs = new OracleRun([new OracleRuleResult("R", false, "", null, null, [], "Too few: 2")], null);

        Assert.Equal(DifferenceKind.Message, Assert.Single(ResultComparison.Compare(ours, theirs)).Kind);
    }

    [Theory]
    [InlineData("2020-03-01", true)]
    [InlineData("2020-03-02", false)]
    [InlineData("01/03/2020", false)]
    public void Values_EqualOurDate_WithTheIsoStringRulesEngineKeeps(string theirs, bool equal) =>
        Assert.Equal(equal, OracleValues.Equal(new DateTime(2020, 3, 1), theirs));
}
