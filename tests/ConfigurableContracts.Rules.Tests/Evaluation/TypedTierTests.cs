using System.Globalization;
using System.Text.Json;
using ConfigurableContracts.Rules.Compilation;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Rules.Tests.Evaluation;

/// <summary>
/// The typed tier must answer exactly what the closures answer, and must answer at all: on complete data of the
/// usual shape it types every rule, from JSON read in place and from the value model alike.
/// </summary>
public class TypedTierTests
{
    private const string Workflow = """
        {
          "WorkflowName": "W",
          "GlobalParams": [
            { "Name": "monthsEnrolled", "Expression": "(asOf - participant.enrolledOn).TotalDays / 30" },
            { "Name": "change", "Expression": "followUp6.score - baseline.score" }
          ],
          "Rules": [
            { "RuleName": "Enrolled3Months", "Expression": "monthsEnrolled >= 3" },
            { "RuleName": "BrokeNegativeDevelopment", "Expression": "change >= contract.threshold" },
            { "RuleName": "AttendedGroupSessions", "Expression": "participant.sessions.Count(s => s.kind == \"group\") >= 3" },
            { "RuleName": "ActivityPayment", "Expression": "participant.sessions.Count() >= 2 && monthsEnrolled >= 1",
              "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "contract.activityPayment" } } } },
            { "RuleName": "OutcomePayment", "Expression": "change >= contract.threshold && participant.exitReason == null",
              "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "contract.outcomePayment" } } } },
            { "RuleName": "InTargetAgeGroup", "Expression": "participant.age >= 12 && participant.age <= 18" },
            { "RuleName": "ExitedEarly", "Expression": "participant.exitReason in (\"moved\", \"declined\")" },
            { "RuleName": "BaselineInWindow", "Expression": "baseline.measuredOn <= participant.enrolledOn.AddDays(30)" },
            { "RuleName": "ImprovedAtThreeMonths", "Expression": "followUp3.score > baseline.score" },
            { "RuleName": "HighRisk", "Expression": "baseline.score < 2.5 || participant.priority == true" },
            { "RuleName": "LongSessions", "Expression": "participant.sessions.Sum(s => s.minutes) > 120 && participant.sessions.All(s => s.minutes >= 15)" },
            { "RuleName": "EnrolledInSpring", "Expression": "participant.enrolledOn.Month >= 3 && participant.enrolledOn.AddMonths(6).Year == 2023" },
            { "RuleName": "Named", "Expression": "participant.id.StartsWith(\"P-1\") || participant.id.Length > 6" }
          ]
        }
        """;

    private static readonly Dictionary<string, RuleType> Types = InputTypes();

    [Fact]
    public void TypedTier_AnswersEveryRule_OnCompleteData_JsonOrConverted()
    {
        var workflow = CompileTyped().Workflow("W");
        foreach (var participant in Participants(50, complete: true))
        {
            foreach (var inputs in new[] { Deferred(participant), Converted(participant) })
            {
                var answers = new RuleResultTree?[workflow.Rules.Length];
                Assert.True(workflow.Typed!.Warm());
                Assert.True(workflow.Typed.TryEvaluate(inputs, answers));
                Assert.Null(workflow.Typed.CompileError);
                Assert.All(answers, answer => Assert.NotNull(answer));
            }
        }
    }

    [Fact]
    public void TypedTier_GivesTheClosuresAnswers_OnRandomParticipants_WithGapsAndOddData()
    {
        var closures = Compile(typedThreshold: -1);
        var typed = CompileTyped();
        var checkedRules = 0;
        foreach (var participant in Participants(400, complete: false))
        {
            var expected = RuleResultJson.ToJson(closures.Evaluate("W", Converted(participant)));
            foreach (var inputs in new[] { Deferred(participant), Converted(participant) })
            {
                var actual = typed.Evaluate("W", inputs);
                Assert.Equal(expected, RuleResultJson.ToJson(actual));
                checkedRules += actual.Count;
            }
        }
        Assert.Null(typed.Workflow("W").Typed!.CompileError);
        Assert.Equal(400 * 2 * 13, checkedRules);
    }

    [Fact]
    public void TypedTier_StartsAfterTheThreshold_AndTheClosuresAnswerUntilThen()
    {
        var set = Compile(typedThreshold: 3);
        var tier = set.Workflow("W").Typed!;
        var participant = Participants(1, complete: true).Single();
        for (var i = 0; i < 3; i++) Assert.False(tier.Warm());
        Assert.True(tier.Warm());
        Assert.True(tier.TryEvaluate(Converted(participant), new RuleResultTree?[set.Workflow("W").Rules.Length]));
    }

    [Fact]
    public void JsonInput_GivenWithAnotherType_IsConverted_NotReadInPlace()
    {
        var typed = CompileTyped();
        var participant = Participants(1, complete: true).Single();
        var untyped = RuleInputs.FromJson(participant, new Dictionary<string, RuleType>());
        var expected = Compile(typedThreshold: -1).Evaluate("W", RuleInputs.FromJson(participant, new Dictionary<string, RuleType>()));

        Assert.Equal(RuleResultJson.ToJson(expected), RuleResultJson.ToJson(typed.Evaluate("W", untyped)));
    }

    [Fact]
    public void DeferredJson_IsConvertedOnce_WhenSomethingNeedsItWhole()
    {
        using var document = JsonDocument.Parse("""{"id": "P-1", "age": 15}""");
        var inputs = new RuleInputs(Types).SetDeferredJson("participant", document.RootElement);

        Assert.True(inputs.TryGetValue("participant", out var first));
        Assert.True(inputs.TryGetValue("participant", out var second));
        var record = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(first);
        Assert.Same(first, second);
        Assert.Equal(15L, record["age"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void DeferredJson_OfADisposedDocument_Throws_NeverReadsStale(int typedThreshold)
    {
        var set = Compile(typedThreshold);
        var participant = Participants(1, complete: true).Single();
        var document = JsonDocument.Parse(participant["participant"].GetRawText());
        var inputs = new RuleInputs(Types);
        foreach (var (name, json) in participant) inputs.SetDeferredJson(name, json);
        inputs.SetDeferredJson("participant", document.RootElement);
        document.Dispose();

        Assert.Throws<ObjectDisposedException>(() => set.Evaluate("W", inputs));
    }

    private static CompiledWorkflowSet CompileTyped() => Compile(typedThreshold: 0);

    private static CompiledWorkflowSet Compile(int typedThreshold)
    {
        var read = WorkflowReader.Read("typed.json", Workflow);
        Assert.False(read.HasErrors, string.Join("\n", read.Diagnostics));
        var compilation = WorkflowCompiler.Compile(read.Workflows, Types, functions: null, specialise: true, typedThreshold);
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        return compilation.Workflows;
    }

    private static RuleInputs Deferred(Dictionary<string, JsonElement> participant) => RuleInputs.FromJson(participant, Types);

    private static RuleInputs Converted(Dictionary<string, JsonElement> participant)
    {
        var inputs = new RuleInputs();
        foreach (var (name, json) in participant) inputs.SetJson(name, json, Types[name]);
        return inputs;
    }

    private static Dictionary<string, RuleType> InputTypes()
    {
        static RuleType Parse(string schema) => RuleType.FromJsonSchema(JsonDocument.Parse(schema).RootElement);
        var measurement = Parse("""{"type": "object", "properties": {"measuredOn": {"type": "string", "format": "date"}, "score": {"type": "number"}}}""");
        return new Dictionary<string, RuleType>
        {
            ["contract"] = Parse("""{"type": "object", "properties": {"activityPayment": {"type": "number"}, "outcomePayment": {"type": "number"}, "threshold": {"type": "number"}}}"""),
            ["participant"] = Parse("""
                {"type": "object", "properties": {
                  "id": {"type": "string"}, "age": {"type": "integer"}, "priority": {"type": "boolean"},
                  "enrolledOn": {"type": "string", "format": "date"}, "exitReason": {"type": ["string", "null"]},
                  "sessions": {"type": "array", "items": {"type": "object", "properties": {"kind": {"type": "string"}, "minutes": {"type": "integer"}}}}}}
                """),
            ["baseline"] = measurement,
            ["followUp3"] = measurement,
            ["followUp6"] = measurement,
            ["asOf"] = RuleType.Date,
        };
    }

    /// <summary>
    /// Participants from a fixed seed. Complete ones are of the declared shape; the others also miss follow-ups and
    /// carry nulls, wrong kinds, fractions in integers, escapes, duplicate names and out-of-range values.
    /// </summary>
    private static List<Dictionary<string, JsonElement>> Participants(int count, bool complete)
    {
        var random = new Random(20_261_207);
        var contract = JsonDocument.Parse("""{"activityPayment": 8000, "outcomePayment": 30000.00, "threshold": 1.5}""").RootElement;
        var asOf = JsonDocument.Parse("\"2024-06-01\"").RootElement;
        var kinds = complete ? ["\"group\"", "\"individual\""] : new[] { "\"group\"", "\"individual\"", "\"gr\\u006fup\"", "null", "7", "\"\"" };
        var minutes = complete ? ["30", "90", "15"] : new[] { "30", "90", "15", "2.5", "null", "\"long\"", "1e1", "-0", "99999999999999999999" };
        var exits = complete ? ["null", "\"moved\"", "\"completed\""] : new[] { "null", "\"moved\"", "\"declined\"", "3", "\"m\\u006fved\"" };
        var dates = complete ? ["\"2023-02-11\"", "\"2023-04-30\""] : new[] { "\"2023-02-11\"", "\"2023-04-30\"", "null", "\"soon\"", "\"2023-04-30T12:00:00Z\"", "20230101" };
        var scores = complete ? ["1.5", "3", "4.25"] : new[] { "1.5", "3", "4.25", "null", "\"high\"", "1.50", "0" };
        var result = new List<Dictionary<string, JsonElement>>(count);
        for (var i = 0; i < count; i++)
        {
            string Pick(string[] values) => values[random.Next(values.Length)];
            var sessions = string.Join(",", Enumerable.Range(0, random.Next(0, 6)).Select(_ => $$"""{"kind": {{Pick(kinds)}}, "minutes": {{Pick(minutes)}}}"""));
            var age = complete ? random.Next(10, 21).ToString(CultureInfo.InvariantCulture) : Pick(["12", "18", "19", "15.0", "null", "\"15\""]);
            var priority = complete ? Pick(["true", "false"]) : Pick(["true", "false", "null", "1"]);
            var duplicate = !complete && random.Next(8) == 0 ? """, "age": 13""" : "";
            var participant = $$"""
                {"id": "P-{{i}}", "age": {{age}}, "priority": {{priority}}, "enrolledOn": {{Pick(dates)}},
                 "exitReason": {{Pick(exits)}}, "sessions": [{{sessions}}]{{duplicate}}}
                """;
            JsonElement Measurement() => JsonDocument.Parse($$"""{"measuredOn": {{Pick(dates)}}, "score": {{Pick(scores)}}}""").RootElement;
            var inputs = new Dictionary<string, JsonElement>
            {
                ["contract"] = contract,
                ["asOf"] = asOf,
                ["participant"] = JsonDocument.Parse(participant).RootElement,
                ["baseline"] = Measurement(),
            };
            if (complete || random.Next(5) != 0) inputs["followUp3"] = Measurement();
            if (complete || random.Next(3) != 0) inputs["followUp6"] = Measurement();
            result.Add(inputs);
        }
        return result;
    }
}
