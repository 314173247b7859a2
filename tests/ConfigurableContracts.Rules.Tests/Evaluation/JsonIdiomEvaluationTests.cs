using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Rules.Tests.Evaluation;

/// <summary>
/// Idioms that Microsoft RulesEngine users write against raw JSON input, each found to be refused or answered
/// differently here by the conformance tests against the real library; the fixed answer is pinned here.
/// </summary>
public class JsonIdiomEvaluationTests
{
    private const string Member = """{"m": {"joinedOn": "2020-03-01", "lastVisit": "2021-02-15", "note": "2020-03-01"}}""";

    [Theory]
    [InlineData("DateTime.Parse(m.joinedOn) > DateTime.Parse(\"2020-01-01\")")]
    [InlineData("DateTime.Parse(m.joinedOn).AddMonths(3) <= DateTime.Parse(m.lastVisit)")]
    [InlineData("(DateTime.Parse(m.lastVisit) - DateTime.Parse(m.joinedOn)).Days == 351")]
    [InlineData("DateTime.Parse(m.joinedOn).Year == 2020")]
    public void DateTimeParse_AcceptsDataAlreadyReadAsDate(string expression) =>
        Assert.Equal(RuleStatus.Achieved, TestEngine.Evaluate(expression, Member).Status);
}
