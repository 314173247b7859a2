using System.Text.Json;
using ConfigurableContracts.Rules.Compilation;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Rules.Tests.Evaluation;

/// <summary>
/// The compiler's specialised closures (literal operands, direct field reads, fused day counts, shared literal
/// arguments) must give exactly what the general closures give: same status, reason, message and output, on data
/// that is complete, missing, null and of the wrong kind.
/// </summary>
public class SpecialisedCompilationTests
{
    private static readonly Dictionary<string, RuleType> Types = new()
    {
        ["participant"] = Schema("""
            {"type": "object", "properties": {
              "age": {"type": "integer"}, "score": {"type": "number"}, "priority": {"type": "boolean"},
              "enrolledOn": {"type": "string", "format": "date"}, "exitReason": {"type": ["string", "null"]},
              "sessions": {"type": "array", "items": {"type": "object", "properties": {"kind": {"type": "string"}, "minutes": {"type": "integer"}}}}}}
            """),
        ["followUp"] = Schema("""{"type": "object", "properties": {"score": {"type": "number"}}}"""),
        ["asOf"] = RuleType.Date,
        ["x"] = RuleType.Any,
    };

    /// <summary>Complete, missing, null, wrong-kind and overflowing data; each is evaluated with every expression.</summary>
    private static readonly string[] DataSets =
    [
        """
        {"asOf": "2024-06-01", "x": 5, "followUp": {"score": 4.5},
          "participant": {"age": 15, "score": 3, "priority": false, "enrolledOn": "2024-01-10", "exitReason": null,
          "sessions": [{"kind": "group", "minutes": 90}, {"kind": "individual", "minutes": 30}]}}
        """,
        """
        {"asOf": "2024-06-01", "x": "text",
          "participant": {"age": 19, "score": 1.25, "priority": true, "enrolledOn": "2024-05-20", "exitReason": "moved",
          "sessions": [{"minutes": 20}]}}
        """,
        """
        {"asOf": "2024-06-01", "x": null, "followUp": {"score": null},
          "participant": {"age": null, "score": null, "enrolledOn": null, "sessions": []}}
        """,
        """
        {"asOf": "2024-06-01", "x": 3.5, "followUp": {"score": "n/a"},
          "participant": {"age": 2.5, "score": "high", "priority": "yes", "enrolledOn": "soon", "exitReason": 7,
          "sessions": [{"kind": 1, "minutes": "long"}]}}
        """,
        """
        {"asOf": "2024-06-01", "followUp": {"score": 0},
          "participant": {"age": 9223372036854775807, "score": 0, "enrolledOn": "2024-06-01T12:00:00Z",
          "sessions": [{"kind": "group", "minutes": 61}, {"kind": "group"}]}}
        """,
    ];

    private static readonly string[] ConditionCorpus =
    [
        "participant.age >= 12",
        "participant.age <= 18.5",
        "participant.score > 2.5",
        "participant.score == 3",
        "participant.exitReason == null",
        "participant.exitReason != null",
        "participant.priority == true",
        "participant.exitReason == \"moved\"",
        "participant.exitReason in (\"moved\", \"declined\")",
        "followUp.score - participant.score >= 1.5",
        "(asOf - participant.enrolledOn).TotalDays >= 30",
        "participant.enrolledOn.AddDays(30) <= asOf",
        "participant.enrolledOn.AddMonths(3) <= asOf",
        "participant.sessions.Count(s => s.kind == \"group\") >= 1",
        "participant.sessions.Any(s => s.minutes > 60)",
        "x > 3",
        "x == 5",
        "x == null",
        "x in (5, 6)",
        "participant.age + 1 > 0",
        "participant.age * 2 == 30",
        "participant.score / 0 > 1",
        "followUp.score > participant.score || participant.priority == true",
        "followUp.score > participant.score && participant.exitReason == null",
        "!(participant.age < 12)",
    ];

    private static readonly string[] ValueCorpus =
    [
        "(asOf - participant.enrolledOn).TotalDays / 30",
        "participant.score - 1",
        "participant.age % 5",
        "participant.enrolledOn.AddDays(30)",
        "followUp.score ?? 0",
        "x + 1",
        "x.Length",
        "participant.exitReason + \"!\"",
        "participant.sessions.Sum(s => s.minutes)",
        "Math.Round(participant.score * 1.25, 1)",
    ];

    public static TheoryData<string> Conditions => new(ConditionCorpus);

    public static TheoryData<string> Values => new(ValueCorpus);

    [Theory]
    [MemberData(nameof(Conditions))]
    public void Condition_GivesTheGeneralResult_OnEveryDataSet(string expression) =>
        AssertSameResults(TestEngine.SingleRule(expression));

    [Theory]
    [MemberData(nameof(Values))]
    public void Value_GivesTheGeneralResult_OnEveryDataSet(string expression) =>
        AssertSameResults(TestEngine.SingleOutputRule(expression));

    [Fact]
    public void Corpus_ReachesEveryStatus()
    {
        // The comparison above means little unless the corpus exercises each outcome, failures included.
        var statuses = ConditionCorpus
            .SelectMany(expression => DataSets.Select(data => Evaluate(TestEngine.SingleRule(expression), data, specialise: true)[0].Status))
            .ToHashSet();
        Assert.Equal(Enum.GetValues<RuleStatus>().ToHashSet(), statuses);
    }

    [Fact]
    public void Inputs_AreFound_WhateverTheirOrderFromOneCallToTheNext()
    {
        var compilation = Compile(TestEngine.SingleRule("participant.age > x"), specialise: true);
        var participant = RuleValues.FromJson(JsonDocument.Parse("""{"age": 15}""").RootElement, Types["participant"]);
        var inOrder = new RuleInputs().Set("participant", participant).Set("x", 10L);
        var reversed = new RuleInputs().Set("x", 20L).Set("participant", participant);
        var withoutX = new RuleInputs().Set("participant", participant);

        Assert.Equal(RuleStatus.Achieved, compilation.Workflows.Evaluate("W", inOrder)[0].Status);
        Assert.Equal(RuleStatus.NotAchieved, compilation.Workflows.Evaluate("W", reversed)[0].Status);
        Assert.Equal(RuleStatus.NotEvaluable, compilation.Workflows.Evaluate("W", withoutX)[0].Status);
        Assert.Equal(RuleStatus.Achieved, compilation.Workflows.Evaluate("W", inOrder)[0].Status);
    }

    [Fact]
    public void PlainResult_IsOneSharedImmutableTree_EqualToAFreshOne()
    {
        var compilation = Compile(TestEngine.SingleRule("x > 3"), specialise: true);
        var first = compilation.Workflows.Evaluate("W", new RuleInputs().Set("x", 5L))[0];
        var second = compilation.Workflows.Evaluate("W", new RuleInputs().Set("x", 7L))[0];

        Assert.Same(first, second);
        Assert.Equal(new RuleResultTree { RuleName = "R", Status = RuleStatus.Achieved }, first);
    }

    [Fact]
    public void NotAchievedWithErrorMessage_IsFormattedForEachEvaluation()
    {
        var json = """
            {"WorkflowName": "W", "Rules": [{"RuleName": "R", "Expression": "x > 3", "ErrorMessage": "x is $(x)"}]}
            """;
        var compilation = Compile(json, specialise: true);

        Assert.Equal("x is 1", compilation.Workflows.Evaluate("W", new RuleInputs().Set("x", 1L))[0].ExceptionMessage);
        Assert.Equal("x is 2", compilation.Workflows.Evaluate("W", new RuleInputs().Set("x", 2L))[0].ExceptionMessage);
    }

    [Fact]
    public void RuleInputs_KeepInsertionOrder_ReplaceByName_AndRefuseDuplicatesWhenBuiltFromPairs()
    {
        var inputs = new RuleInputs().Set("b", 1L).Set("a", 2L).Set("c", 3L).Set("b", 4L);
        for (var i = 0; i < 10; i++) inputs.Set($"extra{i}", i);

        Assert.Equal(["b", "a", "c", .. Enumerable.Range(0, 10).Select(i => $"extra{i}")], inputs.Names);
        Assert.Equal(13, inputs.Count);
        Assert.True(inputs.TryGetValue("b", out var b));
        Assert.Equal(4L, b);
        Assert.False(inputs.TryGetValue("d", out _));
        Assert.Throws<ArgumentException>(() => new RuleInputs([new("a", 1L), new("a", 2L)]));
    }

    private static void AssertSameResults(string workflowJson)
    {
        foreach (var data in DataSets)
        {
            var general = RuleResultJson.ToJson(Evaluate(workflowJson, data, specialise: false));
            var specialised = RuleResultJson.ToJson(Evaluate(workflowJson, data, specialise: true));
            Assert.True(general == specialised, $"For {data}:\ngeneral {general}\nspecialised {specialised}");
        }
    }

    private static IReadOnlyList<RuleResultTree> Evaluate(string workflowJson, string dataJson, bool specialise)
    {
        using var data = JsonDocument.Parse(dataJson);
        var inputs = RuleInputs.FromJson(data.RootElement.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value)), Types);
        return Compile(workflowJson, specialise).Workflows.Evaluate("W", inputs);
    }

    private static WorkflowCompilation Compile(string workflowJson, bool specialise)
    {
        var read = WorkflowReader.Read("test.json", workflowJson);
        Assert.False(read.HasErrors, string.Join("\n", read.Diagnostics));
        var compilation = WorkflowCompiler.Compile(read.Workflows, Types, functions: null, specialise);
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        return compilation;
    }

    private static RuleType Schema(string json) => RuleType.FromJsonSchema(JsonDocument.Parse(json).RootElement);
}
