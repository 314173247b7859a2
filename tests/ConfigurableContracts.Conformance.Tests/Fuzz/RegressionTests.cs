namespace ConfigurableContracts.Conformance.Tests.Fuzz;

/// <summary>
/// Shrunk counterexamples the differential fuzz found, each run on both engines: once an undocumented disagreement,
/// now the same answer from both.
/// </summary>
public class RegressionTests
{
    private static void AssertAgree(string workflowJson, string inputsJson)
    {
        var result = Oracle.Run(workflowJson, inputsJson);
        Assert.True(result.Theirs.Ran, result.Theirs.Failure);
        Assert.True(result.Agree, string.Join("\n", result.Differences));
    }

    [Fact]
    public void DateTimeParse_ReadsAnIsoDateField_AsRulesEngineDoes() =>
        AssertAgree(
            Oracle.SingleOutputRule("DateTime.Parse(\"2022-01-01\") > DateTime.Parse(p.start)"),
            """{ "p": { "start": "2023-09-17" } }""");

    [Fact]
    public void NestedRule_WithEveryChildDisabled_IsNotAchieved_AsInRulesEngine() =>
        AssertAgree(
            """
            { "WorkflowName": "W", "Rules": [ { "RuleName": "R16", "Operator": "AndAlso",
              "Rules": [ { "RuleName": "R16c0", "Enabled": false, "Expression": "p.score > 1" } ] } ] }
            """,
            """{ "p": { "score": 30 } }""");

    [Fact]
    public void FilteredAny_StopsAtTheFirstMatch_BeforeADivisionByZero_AsInRulesEngine() =>
        AssertAgree(
            Oracle.SingleRule("p.items.Where(x => ((10 % x.k) > 0.5)).Any()"),
            """{ "p": { "items": [ { "k": 6, "v": 57.2 }, { "k": 0, "v": 107.75 } ] } }""");
}
