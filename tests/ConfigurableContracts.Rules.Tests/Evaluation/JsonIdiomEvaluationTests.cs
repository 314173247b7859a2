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

    private const string Orders = """{"o": {"total": 5, "visits": 10, "name": "Alva Berg", "items": [{"qty": 2}, {"qty": 1}, {"qty": 5}], "gone": null}}""";

    [Theory]
    [InlineData("o.total / 2", "2.5")]
    [InlineData("o.total / o.visits", "0.5")]
    [InlineData("o.items.Sum(i => i.qty) / 4", "2")]
    [InlineData("o.total / 2 * 2", "5")]
    public void Division_IsExact_WhenAnIntegerComesFromTheData(string expression, string expected)
    {
        var value = TestEngine.Value(expression, Orders);
        Assert.IsType<decimal>(value);
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("7 / 2", 3L)]
    [InlineData("o.name.Length / 2", 4L)]
    [InlineData("o.items.Count() / 2", 1L)]
    [InlineData("Convert.ToInt32(\"42\") / 5", 8L)]
    public void Division_Truncates_WhenBothIntegersAreDotNetInts(string expression, long expected) =>
        Assert.Equal(expected, TestEngine.Value(expression, Orders));

    [Fact]
    public void Division_IsNotEvaluable_WhenTheDataIsNull() =>
        Assert.Equal(RuleStatus.NotEvaluable, TestEngine.Evaluate("o.gone / 2 > 1", Orders).Status);
}
