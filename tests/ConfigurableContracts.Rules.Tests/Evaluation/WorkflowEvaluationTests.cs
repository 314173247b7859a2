using System.Text.Json;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Rules.Tests.Evaluation;

public class WorkflowEvaluationTests
{
    private const string Outcomes = """
        {
          "WorkflowName": "IndividualOutcomes",
          "GlobalParams": [
            { "Name": "monthsEnrolled", "Expression": "(asOf - participant.enrolledOn).TotalDays / 30" },
            { "Name": "change", "Expression": "followUp6.score - baseline.score" }
          ],
          "Rules": [
            { "RuleName": "Enrolled3Months", "Expression": "monthsEnrolled >= 3" },
            { "RuleName": "BrokeNegativeDevelopment", "Expression": "change >= contract.threshold",
              "ErrorMessage": "Participant $(participant.id) changed by less than $(contract.threshold)" },
            { "RuleName": "ActivityPayment",
              "Expression": "participant.sessions.Count(s => s.kind == \"group\") >= 2",
              "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "contract.activityPayment" } } } },
            { "RuleName": "OutcomePayment", "Operator": "And",
              "Rules": [
                { "RuleName": "Improved", "Expression": "change >= contract.threshold" },
                { "RuleName": "StillEnrolled", "Expression": "participant.exitReason == null" }
              ],
              "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "contract.outcomePayment" } } } },
            { "RuleName": "Disabled", "Expression": "true", "Enabled": false },
            { "RuleName": "Risky", "Expression": "contract.activityPayment / participant.age > 0" }
          ]
        }
        """;

    private const string Contract = """{"activityPayment": 8000, "outcomePayment": 30000.00, "threshold": 1.5}""";

    private static RuleInputs Inputs(string participant, string? baseline, string? followUp6, string asOf = "2022-06-01")
    {
        var types = Schemas.ParticipantInputs();
        var json = new Dictionary<string, JsonElement>
        {
            ["contract"] = JsonDocument.Parse(Contract).RootElement,
            ["participant"] = JsonDocument.Parse(participant).RootElement,
            ["asOf"] = JsonDocument.Parse($"\"{asOf}\"").RootElement,
        };
        if (baseline is not null) json["baseline"] = JsonDocument.Parse(baseline).RootElement;
        if (followUp6 is not null) json["followUp6"] = JsonDocument.Parse(followUp6).RootElement;
        return RuleInputs.FromJson(json, types);
    }

    private const string Participant = """
        {"id": "P-1", "age": 16, "enrolledOn": "2022-01-01", "exitReason": null,
         "sessions": [{"kind": "group", "minutes": 60}, {"kind": "group", "minutes": 30}, {"kind": "individual", "minutes": 45}]}
        """;

    private static IReadOnlyList<RuleResultTree> Run(RuleInputs inputs, string workflow = Outcomes)
    {
        var compilation = TestEngine.Compile(workflow, Schemas.ParticipantInputs());
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        return compilation.Workflows.Evaluate("IndividualOutcomes", inputs);
    }

    [Fact]
    public void Evaluate_ReportsEveryEnabledRule_InOrder()
    {
        var results = Run(Inputs(Participant, """{"score": 2}""", """{"score": 4}"""));
        Assert.Equal(["Enrolled3Months", "BrokeNegativeDevelopment", "ActivityPayment", "OutcomePayment", "Risky"], results.Select(r => r.RuleName));
    }

    [Fact]
    public void Evaluate_AchievesOutcome_AndPaysDecimalAmounts()
    {
        var results = Run(Inputs(Participant, """{"score": 2}""", """{"score": 4}"""));
        Assert.All(results, r => Assert.Equal(RuleStatus.Achieved, r.Status));
        Assert.Equal(8000m, results.Find("ActivityPayment")!.ActionOutput);
        Assert.IsType<decimal>(results.Find("OutcomePayment")!.ActionOutput);
        Assert.Equal(30000.00m, results.Find("OutcomePayment")!.ActionOutput);
        Assert.Equal(RuleStatus.Achieved, results.Find("OutcomePayment/Improved")!.Status);
    }

    [Fact]
    public void Evaluate_IsNotEvaluable_WhenSixMonthFollowUpIsNotRecorded()
    {
        var results = Run(Inputs(Participant, """{"score": 2}""", followUp6: null));
        var outcome = results.Find("BrokeNegativeDevelopment")!;
        Assert.Equal(RuleStatus.NotEvaluable, outcome.Status);
        Assert.Equal("'followUp6' is missing", outcome.Reason);
        Assert.Equal("", outcome.ExceptionMessage);
        Assert.Equal(RuleStatus.NotEvaluable, results.Find("OutcomePayment")!.Status);
        Assert.Null(results.Find("OutcomePayment")!.ActionOutput);
        // Rules that do not need the follow-up are unaffected.
        Assert.Equal(RuleStatus.Achieved, results.Find("ActivityPayment")!.Status);
    }

    [Fact]
    public void Evaluate_InterpolatesErrorMessage_WhenNotAchieved()
    {
        var results = Run(Inputs(Participant, """{"score": 2}""", """{"score": 2.5}"""));
        var outcome = results.Find("BrokeNegativeDevelopment")!;
        Assert.Equal(RuleStatus.NotAchieved, outcome.Status);
        Assert.Equal("Participant P-1 changed by less than 1.5", outcome.ExceptionMessage);
    }

    [Fact]
    public void Evaluate_KeepsOtherRulesRunning_WhenOneFails()
    {
        var participant = Participant.Replace("\"age\": 16", "\"age\": 0", StringComparison.Ordinal);
        var results = Run(Inputs(participant, """{"score": 2}""", """{"score": 4}"""));
        var risky = results.Find("Risky")!;
        Assert.Equal(RuleStatus.Error, risky.Status);
        Assert.Contains("divide by zero", risky.ExceptionMessage, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(RuleStatus.Achieved, results.Find("OutcomePayment")!.Status);
    }

    [Theory]
    [InlineData("And", "Achieved", "Achieved", "Achieved")]
    [InlineData("And", "Achieved", "NotAchieved", "NotAchieved")]
    [InlineData("And", "NotEvaluable", "NotAchieved", "NotAchieved")]
    [InlineData("And", "Error", "NotAchieved", "NotAchieved")]
    [InlineData("And", "Error", "NotEvaluable", "Error")]
    [InlineData("And", "Achieved", "NotEvaluable", "NotEvaluable")]
    [InlineData("AndAlso", "Achieved", "Error", "Error")]
    [InlineData("Or", "NotAchieved", "NotAchieved", "NotAchieved")]
    [InlineData("Or", "NotAchieved", "Achieved", "Achieved")]
    [InlineData("Or", "Error", "Achieved", "Achieved")]
    [InlineData("Or", "NotEvaluable", "Achieved", "Achieved")]
    [InlineData("Or", "NotEvaluable", "Error", "Error")]
    [InlineData("OrElse", "NotEvaluable", "NotAchieved", "NotEvaluable")]
    public void Evaluate_CombinesNestedRules_WithThreeValuedLogic(string op, string first, string second, string expected)
    {
        static string Expression(string status) => status switch
        {
            "Achieved" => "true",
            "NotAchieved" => "false",
            "NotEvaluable" => "x.missing > 1",
            _ => "1 / x.zero > 0",
        };
        var workflow = JsonSerializer.Serialize(new
        {
            WorkflowName = "W",
            Rules = new object[]
            {
                new
                {
                    RuleName = "Parent",
                    Operator = op,
                    Rules = new[] { new { RuleName = "First", Expression = Expression(first) }, new { RuleName = "Second", Expression = Expression(second) } },
                },
            },
        });
        var compilation = TestEngine.Compile(workflow, new Dictionary<string, RuleType> { ["x"] = RuleType.Any });
        var parent = compilation.Workflows.Evaluate("W", new RuleInputs().Set("x", new Dictionary<string, object?> { ["zero"] = 0L }))[0];
        Assert.Equal(Enum.Parse<RuleStatus>(expected), parent.Status);
        // Every child is evaluated and reported, whatever the first one said.
        Assert.Equal([Enum.Parse<RuleStatus>(first), Enum.Parse<RuleStatus>(second)], parent.ChildResults!.Select(c => c.Status));
    }

    [Theory]
    [InlineData("And")]
    [InlineData("OrElse")]
    public void Evaluate_GivesNotAchieved_WhenEveryNestedRuleIsDisabled(string op)
    {
        var workflow = JsonSerializer.Serialize(new
        {
            WorkflowName = "W",
            Rules = new object[]
            {
                new { RuleName = "Parent", Operator = op, Rules = new[] { new { RuleName = "Off", Expression = "true", Enabled = false } } },
            },
        });
        var parent = TestEngine.Compile(workflow, new Dictionary<string, RuleType>()).Workflows.Evaluate("W", new RuleInputs())[0];
        Assert.Equal(RuleStatus.NotAchieved, parent.Status);
        Assert.Empty(parent.ChildResults!);
    }

    [Fact]
    public void Evaluate_ReportsBindErrorAsRuleError_AndRunsTheOtherRules()
    {
        var workflow = """
            {"WorkflowName": "W", "Rules": [
              {"RuleName": "Typo", "Expression": "p.agee > 1"},
              {"RuleName": "Fine", "Expression": "p.age > 1"}
            ]}
            """;
        var compilation = TestEngine.Compile(workflow, new Dictionary<string, RuleType> { ["p"] = RuleType.InferFromData(JsonDocument.Parse("""{"age": 3}""").RootElement) });
        Assert.True(compilation.HasErrors);
        var results = compilation.Workflows.Evaluate("W", new RuleInputs().Set("p", new Dictionary<string, object?> { ["age"] = 3L }));
        Assert.Equal(RuleStatus.Error, results[0].Status);
        Assert.StartsWith("test.json:2:", results[0].ExceptionMessage, StringComparison.Ordinal);
        Assert.Contains("error CCR0202: 'p' has no field 'agee'. Did you mean 'age'?", results[0].ExceptionMessage, StringComparison.Ordinal);
        Assert.Equal(RuleStatus.Achieved, results[1].Status);
    }

    [Fact]
    public void Evaluate_FailsOnlyRulesThatReadAFailingGlobalParam()
    {
        var workflow = """
            {"WorkflowName": "W",
             "GlobalParams": [{"Name": "ratio", "Expression": "x.a / x.b"}],
             "Rules": [
               {"RuleName": "UsesRatio", "Expression": "ratio > 1"},
               {"RuleName": "Independent", "Expression": "x.a > 1"}
             ]}
            """;
        var compilation = TestEngine.Compile(workflow, new Dictionary<string, RuleType> { ["x"] = RuleType.Any });
        var results = compilation.Workflows.Evaluate("W", new RuleInputs().Set("x", new Dictionary<string, object?> { ["a"] = 5L, ["b"] = 0L }));
        Assert.Equal(RuleStatus.Error, results[0].Status);
        Assert.Contains("Parameter 'ratio' failed", results[0].ExceptionMessage, StringComparison.Ordinal);
        Assert.Equal(RuleStatus.Achieved, results[1].Status);
    }

    [Fact]
    public void Evaluate_LetsLocalParamsSeeGlobalsAndEarlierLocals_AndNestedRulesSeeParentLocals()
    {
        var workflow = """
            {"WorkflowName": "W",
             "GlobalParams": [{"Name": "g", "Expression": "2"}],
             "Rules": [
               {"RuleName": "Parent", "Operator": "Or",
                "LocalParams": [{"Name": "a", "Expression": "g * 3"}, {"Name": "b", "Expression": "a + 1"}],
                "Rules": [{"RuleName": "Child", "Expression": "b == 7"}],
                "Actions": {"OnSuccess": {"Name": "OutputExpression", "Context": {"Expression": "b * 1.5"}}}}
             ]}
            """;
        var result = TestEngine.Compile(workflow, new Dictionary<string, RuleType>()).Workflows.Evaluate("W", new RuleInputs())[0];
        Assert.Equal(RuleStatus.Achieved, result.Status);
        Assert.Equal(10.5m, result.ActionOutput);
    }

    [Fact]
    public void Evaluate_RunsOnFailureAction_WhenNotAchieved()
    {
        var workflow = """
            {"WorkflowName": "W", "Rules": [{"RuleName": "R", "Expression": "false", "SuccessEvent": "yes",
              "Actions": {"OnSuccess": {"Name": "OutputExpression", "Context": {"Expression": "1"}},
                          "OnFailure": {"Name": "OutputExpression", "Context": {"Expression": "\"why not\""}}}}]}
            """;
        var result = TestEngine.Compile(workflow, new Dictionary<string, RuleType>()).Workflows.Evaluate("W", new RuleInputs())[0];
        Assert.Equal(RuleStatus.NotAchieved, result.Status);
        Assert.Equal("why not", result.ActionOutput);
        Assert.Equal("yes", result.SuccessEvent);
    }

    [Fact]
    public void Evaluate_InjectsRulesAndGlobals_FromWorkflowsToInject()
    {
        var workflows = """
            [
              {"WorkflowName": "Shared", "GlobalParams": [{"Name": "limit", "Expression": "10"}],
               "Rules": [{"RuleName": "UnderLimit", "Expression": "x.n < limit"}]},
              {"WorkflowName": "Main", "WorkflowsToInject": ["Shared"],
               "Rules": [{"RuleName": "Positive", "Expression": "x.n > 0 && x.n < limit"}]}
            ]
            """;
        var compilation = TestEngine.Compile(workflows, new Dictionary<string, RuleType> { ["x"] = RuleType.Any });
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        var results = compilation.Workflows.Evaluate("Main", new RuleInputs().Set("x", new Dictionary<string, object?> { ["n"] = 4L }));
        Assert.Equal(["UnderLimit", "Positive"], results.Select(r => r.RuleName));
        Assert.All(results, r => Assert.Equal(RuleStatus.Achieved, r.Status));
    }

    [Fact]
    public void Compile_ReportsUnknownInjectedWorkflow_AndCycles()
    {
        var unknown = TestEngine.Compile("""{"WorkflowName": "A", "WorkflowsToInject": ["Shraed"], "Rules": []}""", new Dictionary<string, RuleType>());
        Assert.Contains(unknown.Diagnostics, d => d.Code == DiagnosticCodes.UnknownInjectedWorkflow);
        var cycle = TestEngine.Compile("""[{"WorkflowName": "A", "WorkflowsToInject": ["B"], "Rules": []}, {"WorkflowName": "B", "WorkflowsToInject": ["A"], "Rules": []}]""", new Dictionary<string, RuleType>());
        Assert.Contains(cycle.Diagnostics, d => d.Code == DiagnosticCodes.InjectionCycle);
    }

    [Fact]
    public void Evaluate_RunsEvaluateRuleAction_WithFilteredAndAdditionalInputs()
    {
        var workflows = """
            [
              {"WorkflowName": "Payments", "Rules": [
                 {"RuleName": "Amount", "Expression": "bonus > 0",
                  "Actions": {"OnSuccess": {"Name": "OutputExpression", "Context": {"Expression": "contract.base + bonus"}}}}]},
              {"WorkflowName": "Main", "Rules": [
                 {"RuleName": "Pay", "Expression": "true",
                  "Actions": {"OnSuccess": {"Name": "EvaluateRule", "Context": {"workflowName": "Payments", "ruleName": "Amount",
                     "inputFilter": ["contract"], "additionalInputs": [{"Name": "bonus", "Expression": "contract.base * 0.5"}]}}}}]}
            ]
            """;
        var types = new Dictionary<string, RuleType> { ["contract"] = RuleType.Any };
        var compilation = TestEngine.Compile(workflows, types);
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        var result = compilation.Workflows.Evaluate("Main", new RuleInputs().Set("contract", new Dictionary<string, object?> { ["base"] = 100L }))[0];
        Assert.Equal(RuleStatus.Achieved, result.Status);
        Assert.Equal(150.0m, result.ActionOutput);
    }

    [Fact]
    public void Evaluate_StopsEvaluateRuleCycles_WithError()
    {
        var workflows = """
            {"WorkflowName": "W", "Rules": [
              {"RuleName": "A", "Expression": "true", "Actions": {"OnSuccess": {"Name": "EvaluateRule", "Context": {"workflowName": "W", "ruleName": "B"}}}},
              {"RuleName": "B", "Expression": "true", "Actions": {"OnSuccess": {"Name": "EvaluateRule", "Context": {"workflowName": "W", "ruleName": "A"}}}}]}
            """;
        var results = TestEngine.Compile(workflows, new Dictionary<string, RuleType>()).Workflows.Evaluate("W", new RuleInputs());
        Assert.All(results, r => Assert.Equal(RuleStatus.Error, r.Status));
    }

    [Fact]
    public void Evaluate_GivesSameResults_FromManyThreadsAtOnce()
    {
        var compilation = TestEngine.Compile(Outcomes, Schemas.ParticipantInputs());
        var participants = Enumerable.Range(0, 400).Select(i =>
            (Inputs: Inputs(Participant.Replace("\"age\": 16", $"\"age\": {i % 7}", StringComparison.Ordinal), """{"score": 2}""", i % 3 == 0 ? null : $$"""{"score": {{i % 5}}}"""),
             Index: i)).ToList();
        string Describe(IReadOnlyList<RuleResultTree> results) =>
            string.Join(";", results.Select(r => $"{r.RuleName}={r.Status}:{r.ActionOutput}:{r.Reason}"));
        var sequential = participants.Select(p => Describe(compilation.Workflows.Evaluate("IndividualOutcomes", p.Inputs))).ToList();
        var parallel = new string[participants.Count];
        Parallel.ForEach(participants, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            p => parallel[p.Index] = Describe(compilation.Workflows.Evaluate("IndividualOutcomes", p.Inputs)));
        Assert.Equal(sequential, parallel);
        Assert.Contains(sequential, s => s.Contains("NotEvaluable", StringComparison.Ordinal));
        Assert.Contains(sequential, s => s.Contains("Error", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_Throws_ForUnknownWorkflowName()
    {
        var compilation = TestEngine.Compile(Outcomes, Schemas.ParticipantInputs());
        Assert.Throws<KeyNotFoundException>(() => compilation.Workflows.Evaluate("Nope", new RuleInputs()));
    }

    [Fact]
    public void Evaluate_CarriesSuccessEventAndProperties_OnTheInMemoryResult_OfEveryStatus_ButNotInTheJson()
    {
        const string json = """
            {"WorkflowName": "W", "Rules": [
              {"RuleName": "Met", "Expression": "x.a > 1", "SuccessEvent": "paid", "Properties": {"kind": "outcome", "weight": 2}},
              {"RuleName": "Unmet", "Expression": "x.a > 5", "SuccessEvent": "paid", "Properties": {"kind": "outcome"}},
              {"RuleName": "Failed", "Expression": "x.a / 0 > 1", "SuccessEvent": "paid", "Properties": {"kind": "outcome"}}]}
            """;
        var compilation = TestEngine.Compile(json, new Dictionary<string, RuleType> { ["x"] = RuleType.Any });
        var results = compilation.Workflows.Evaluate("W", new RuleInputs().Set("x", new Dictionary<string, object?> { ["a"] = 2L }));

        Assert.Equal([RuleStatus.Achieved, RuleStatus.NotAchieved, RuleStatus.Error], results.Select(r => r.Status));
        Assert.All(results, r => Assert.Equal("paid", r.SuccessEvent));
        Assert.All(results, r => Assert.Equal("outcome", r.Properties!.Value.GetProperty("kind").GetString()));
        Assert.Equal(2, results[0].Properties!.Value.GetProperty("weight").GetInt32());

        // The JSON form is stored with every decision, so it leaves both out on purpose (see writing-outcome-rules.md).
        var stored = RuleResultJson.ToJson(results);
        Assert.DoesNotContain("paid", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("outcome", stored, StringComparison.Ordinal);
    }
}
