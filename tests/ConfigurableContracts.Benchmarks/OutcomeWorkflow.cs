using System.Globalization;
using System.Text.Json;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Benchmarks;

/// <summary>
/// The benchmark's subject: a 10-rule participant workflow with two global parameters, shaped like the seed
/// template's outcome rules, and a deterministic generator of synthetic participants for it.
/// </summary>
internal static class OutcomeWorkflow
{
    public const string Json = """
        {
          "WorkflowName": "IndividualOutcomes",
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
            { "RuleName": "HighRisk", "Expression": "baseline.score < 2.5 || participant.priority == true" }
          ]
        }
        """;

    private const string ContractSchema = """
        {"type": "object", "properties": {
          "activityPayment": {"type": "number"}, "outcomePayment": {"type": "number"}, "threshold": {"type": "number"}}}
        """;

    private const string ParticipantSchema = """
        {"type": "object", "properties": {
          "id": {"type": "string"}, "age": {"type": "integer"}, "priority": {"type": "boolean"},
          "enrolledOn": {"type": "string", "format": "date"},
          "exitReason": {"type": ["string", "null"]},
          "sessions": {"type": "array", "items": {"type": "object", "properties": {"kind": {"type": "string"}, "minutes": {"type": "integer"}}}}}}
        """;

    private const string MeasurementSchema = """
        {"type": "object", "properties": {"measuredOn": {"type": "string", "format": "date"}, "score": {"type": "number"}}}
        """;

    public static Dictionary<string, RuleType> InputTypes()
    {
        static RuleType Parse(string schema) => RuleType.FromJsonSchema(JsonDocument.Parse(schema).RootElement);
        var measurement = Parse(MeasurementSchema);
        return new Dictionary<string, RuleType>
        {
            ["contract"] = Parse(ContractSchema),
            ["participant"] = Parse(ParticipantSchema),
            ["baseline"] = measurement,
            ["followUp3"] = measurement,
            ["followUp6"] = measurement,
            ["asOf"] = RuleType.Date,
        };
    }

    /// <summary>Participants as JSON documents, as they come from the database; the same seed gives the same data.</summary>
    /// <param name="complete">Every participant has both follow-ups, so no rule is NotEvaluable: the data on which
    /// RulesEngine, which has no NotEvaluable, can be compared answer for answer.</param>
    public static List<Dictionary<string, JsonElement>> GenerateJson(int count, int seed = 20_240_601, bool complete = false)
    {
        var random = new Random(seed);
        var contract = Element("""{"activityPayment": 8000, "outcomePayment": 30000.00, "threshold": 1.5}""");
        var asOf = Element("\"2024-06-01\"");
        var kinds = new[] { "group", "individual", "family" };
        var exits = new[] { null, null, null, null, "moved", "declined", "completed" };
        var result = new List<Dictionary<string, JsonElement>>(count);
        for (var i = 0; i < count; i++)
        {
            var enrolled = new DateTime(2023, 1, 1).AddDays(random.Next(0, 500));
            var sessions = string.Join(",", Enumerable.Range(0, random.Next(0, 8))
                .Select(_ => $$"""{"kind": "{{kinds[random.Next(kinds.Length)]}}", "minutes": {{random.Next(15, 120)}}}"""));
            var exit = exits[random.Next(exits.Length)];
            var participant = $$"""
                {"id": "P-{{i}}", "age": {{random.Next(10, 21)}}, "priority": {{(random.Next(10) == 0 ? "true" : "false")}},
                 "enrolledOn": "{{Date(enrolled)}}", "exitReason": {{(exit is null ? "null" : $"\"{exit}\"")}}, "sessions": [{{sessions}}]}
                """;
            var inputs = new Dictionary<string, JsonElement>
            {
                ["contract"] = contract,
                ["asOf"] = asOf,
                ["participant"] = Element(participant),
                ["baseline"] = Measurement(random, enrolled.AddDays(random.Next(0, 45))),
            };
            // About a fifth have no three-month and a third no six-month follow-up yet: NotEvaluable is common.
            if (random.Next(5) != 0 || complete) inputs["followUp3"] = Measurement(random, enrolled.AddMonths(3));
            if (random.Next(3) != 0 || complete) inputs["followUp6"] = Measurement(random, enrolled.AddMonths(6));
            result.Add(inputs);
        }
        return result;
    }

    private static JsonElement Measurement(Random random, DateTime on) =>
        Element(string.Create(CultureInfo.InvariantCulture,
            $$"""{"measuredOn": "{{Date(on)}}", "score": {{random.Next(0, 50) / 10m}}}"""));

    /// <summary>
    /// A document kept in memory as long-lived data is: parsed, cloned into its own exact-size storage, and the
    /// parse disposed. A parsed document left undisposed keeps the array-pool buffers it rented, oversized and
    /// scattered, which would make every engine reading it wait on memory for the harness's sake.
    /// </summary>
    private static JsonElement Element(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string Date(DateTime date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Converts generated participants into the engine's value model once, outside the measured code.</summary>
    public static List<RuleInputs> ToInputs(List<Dictionary<string, JsonElement>> participants, Dictionary<string, RuleType> types) =>
        participants.Select(p =>
        {
            // SetJson converts now (FromJson would defer it to the first evaluation).
            var inputs = new RuleInputs();
            foreach (var (name, json) in p) inputs.SetJson(name, json, types[name]);
            return inputs;
        }).ToList();

    /// <summary>
    /// A generated workflow of <paramref name="ruleCount"/> varied rules, for the cold-compile measurement. Real
    /// literals carry the <c>m</c> suffix, which RulesEngine needs over typed decimal inputs (it refuses to add or
    /// compare decimal and double) and our language accepts, so both engines compile the very same text.
    /// </summary>
    public static string Generate(int ruleCount)
    {
        var templates = new[]
        {
            "participant.age >= {0} && participant.exitReason == null",
            "followUp6.score - baseline.score >= contract.threshold + {0} * 0.01m",
            "participant.sessions.Count(s => s.kind == \"group\" && s.minutes > {0}) >= 2",
            "(asOf - participant.enrolledOn).TotalDays > {0} || participant.priority == true",
            "participant.exitReason in (\"moved\", \"declined\") || baseline.score < {0} / 10.0m",
            "participant.sessions.Where(s => s.minutes >= {0}).Sum(s => s.minutes) > 120",
            "iif(followUp3.score > baseline.score, followUp3.score, baseline.score) >= {0} / 20.0m",
            "participant.enrolledOn.AddMonths(6) <= asOf && participant.id.StartsWith(\"P-{0}\")",
        };
        var rules = Enumerable.Range(0, ruleCount).Select(i => new
        {
            RuleName = $"Rule{i}",
            Expression = string.Format(CultureInfo.InvariantCulture, templates[i % templates.Length], i),
        });
        return JsonSerializer.Serialize(new
        {
            WorkflowName = "Generated",
            GlobalParams = new[] { new { Name = "months", Expression = "(asOf - participant.enrolledOn).TotalDays / 30" } },
            Rules = rules,
        });
    }
}
