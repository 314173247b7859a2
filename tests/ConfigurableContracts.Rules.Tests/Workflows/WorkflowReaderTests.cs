using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Rules.Tests.Workflows;

public class WorkflowReaderTests
{
    [Fact]
    public void Read_AcceptsSingleWorkflowObject_AndArray()
    {
        var single = WorkflowReader.Read("a.json", """{"WorkflowName": "A", "Rules": [{"RuleName": "R", "Expression": "true"}]}""");
        var array = WorkflowReader.Read("b.json", """[{"WorkflowName": "A", "Rules": []}, {"WorkflowName": "B", "Rules": []}]""");
        Assert.Equal(["A"], single.Workflows.Select(w => w.Name));
        Assert.Equal(["A", "B"], array.Workflows.Select(w => w.Name));
        Assert.Empty(single.Diagnostics);
    }

    [Fact]
    public void Read_ReadsEveryPartOfTheFormat()
    {
        const string json = """
            {
              "$schema": "../../schemas/rule-workflow.schema.json",
              "WorkflowName": "IndividualOutcomes",
              "WorkflowsToInject": ["Shared"],
              "GlobalParams": [{ "Name": "improved", "Expression": "true" }],
              "Rules": [
                {
                  "RuleName": "Parent",
                  "Operator": "AndAlso",
                  "ErrorMessage": "Participant $(participant.id) failed",
                  "SuccessEvent": "paid",
                  "Enabled": true,
                  "Properties": { "kind": "outcome" },
                  "LocalParams": [{ "Name": "x", "Expression": "1" }],
                  "Rules": [
                    { "RuleName": "A", "Expression": "true", "RuleExpressionType": "LambdaExpression" },
                    { "RuleName": "B", "Expression": "false", "Enabled": false }
                  ],
                  "Actions": {
                    "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "contract.amount" } },
                    "OnFailure": { "Name": "EvaluateRule", "Context": { "workflowName": "Other", "ruleName": "R", "inputFilter": ["contract"],
                                   "additionalInputs": [{ "Name": "extra", "Expression": "2" }] } }
                  }
                }
              ]
            }
            """;
        var result = WorkflowReader.Read("w.json", json);
        Assert.Empty(result.Diagnostics);
        var workflow = Assert.Single(result.Workflows);
        Assert.Equal(["Shared"], workflow.WorkflowsToInject);
        Assert.Equal("improved", Assert.Single(workflow.GlobalParams).Name);
        var parent = Assert.Single(workflow.Rules);
        Assert.Equal(RuleOperator.And, parent.Operator);
        Assert.Equal("Participant $(participant.id) failed", parent.ErrorMessage);
        Assert.Equal("paid", parent.SuccessEvent);
        Assert.Equal("outcome", parent.Properties!.Value.GetProperty("kind").GetString());
        Assert.Equal(["A", "B"], parent.Rules.Select(r => r.Name));
        Assert.False(parent.Rules[1].Enabled);
        Assert.Equal(RuleActionKind.OutputExpression, parent.OnSuccess!.Kind);
        Assert.Equal("contract.amount", parent.OnSuccess.Expression!.Text);
        Assert.Equal(RuleActionKind.EvaluateRule, parent.OnFailure!.Kind);
        Assert.Equal(("Other", "R"), (parent.OnFailure.WorkflowName, parent.OnFailure.RuleName));
        Assert.Equal(["contract"], parent.OnFailure.InputFilter!);
        Assert.Equal("extra", Assert.Single(parent.OnFailure.AdditionalInputs).Name);
        Assert.Equal(new SourceLocation("w.json", 7, 5), parent.Location);
    }

    [Fact]
    public void Read_LocatesExpressionOffsets_InsideTheFile_ThroughJsonEscapes()
    {
        const string json = "{\n  \"WorkflowName\": \"W\",\n  \"Rules\": [\n    { \"RuleName\": \"R\", \"Expression\": \"p.name == \\\"\\u00e9t\\u00e9\\\" && p.agee > 1\" }\n  ]\n}";
        var rule = WorkflowReader.Read("w.json", json).Workflows[0].Rules[0];
        var expression = rule.Expression!;
        Assert.Equal("p.name == \"été\" && p.agee > 1", expression.Text);
        var line = json.Split('\n')[3];
        var agee = expression.Text.IndexOf("agee", StringComparison.Ordinal);
        Assert.Equal(new SourceLocation("w.json", 4, line.IndexOf("agee", StringComparison.Ordinal) + 1), expression.LocationAt(agee));
        Assert.Equal(new SourceLocation("w.json", 4, line.IndexOf("p.name", StringComparison.Ordinal) + 1), expression.LocationAt(0));
    }

    [Fact]
    public void Compile_ReportsBinderErrors_AtTheirFileLineAndColumn()
    {
        const string json = "[\n  {\n    \"WorkflowName\": \"W\",\n    \"Rules\": [\n      {\n        \"RuleName\": \"Improved\",\n        \"Expression\": \"followUp6.score > baseline.scor\"\n      }\n    ]\n  }\n]";
        var read = WorkflowReader.Read("rules/x/outcomes.json", json);
        var compilation = Rules.Compilation.WorkflowCompiler.Compile(read.Workflows, Schemas.ParticipantInputs());
        var error = Assert.Single(compilation.Diagnostics);
        var column = json.Split('\n')[6].IndexOf("scor\"", StringComparison.Ordinal) + 1;
        Assert.Equal($"rules/x/outcomes.json:7:{column}: error CCR0202: 'baseline' has no field 'scor'. Did you mean 'score'?", error.ToString());
        Assert.Equal("Improved", error.RuleName);
    }

    [Fact]
    public void Read_WarnsAboutUnknownFields_WithSuggestionAndLocation()
    {
        var result = WorkflowReader.Read("w.json", "{\"WorkflowName\": \"W\",\n \"Rules\": [{\"RuleName\": \"R\", \"Expresion\": \"true\", \"Expression\": \"true\"}]}");
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticCodes.UnknownField, warning.Code);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains("Did you mean 'Expression'?", warning.Message, StringComparison.Ordinal);
        Assert.Equal(new SourceLocation("w.json", 2, 30), warning.Location);
    }

    [Fact]
    public void Read_AcceptsLegacyFields_WithWarning()
    {
        var result = WorkflowReader.Read("w.json", """
            {"WorkflowName": "W", "WorkflowRulesToInject": ["X"],
             "Rules": [{"RuleName": "R", "Expression": "true", "ErrorType": "Error"}]}
            """);
        Assert.False(result.HasErrors);
        Assert.Equal(2, result.Diagnostics.Count(d => d.Code == DiagnosticCodes.LegacyField));
        Assert.Equal(["X"], result.Workflows[0].WorkflowsToInject);
    }

    [Theory]
    [InlineData("""{"WorkflowName": "W", "Rules": [{"Expression": "true"}]}""", DiagnosticCodes.MissingField)]
    [InlineData("""{"Rules": []}""", DiagnosticCodes.MissingField)]
    [InlineData("""{"WorkflowName": "W"}""", DiagnosticCodes.MissingField)]
    [InlineData("""{"WorkflowName": "W", "Rules": [{"RuleName": "R"}]}""", DiagnosticCodes.MissingField)]
    [InlineData("""{"WorkflowName": 3, "Rules": []}""", DiagnosticCodes.WrongFieldType)]
    [InlineData("""{"WorkflowName": "W", "Rules": {}}""", DiagnosticCodes.WrongFieldType)]
    [InlineData("""{"WorkflowName": "W", "Rules": [{"RuleName": "R", "Expression": "true", "Enabled": "yes"}]}""", DiagnosticCodes.WrongFieldType)]
    [InlineData("""{"WorkflowName": "W", "Rules": [{"RuleName": "R", "Operator": "Xor", "Rules": [{"RuleName": "C", "Expression": "true"}]}]}""", DiagnosticCodes.InvalidOperator)]
    [InlineData("""{"WorkflowName": "W", "Rules": [{"RuleName": "R", "Rules": [{"RuleName": "C", "Expression": "true"}]}]}""", DiagnosticCodes.ExpressionAndChildren)]
    [InlineData("""{"WorkflowName": "W", "Rules": [{"RuleName": "R", "Expression": "true", "RuleExpressionType": "Other"}]}""", DiagnosticCodes.InvalidExpressionType)]
    [InlineData("""{"WorkflowName": "W", "Rules": [{"RuleName": "R", "Expression": "true", "Actions": {"OnSuccess": {"Name": "SendMail", "Context": {}}}}]}""", DiagnosticCodes.UnknownAction)]
    [InlineData("""{"WorkflowName": "W", "Rules": [{"RuleName": "R", "Expression": "true"}, {"RuleName": "R", "Expression": "false"}]}""", DiagnosticCodes.DuplicateRule)]
    [InlineData("""[{"WorkflowName": "W", "Rules": []}, {"WorkflowName": "W", "Rules": []}]""", DiagnosticCodes.DuplicateWorkflow)]
    [InlineData("""{"WorkflowName": "W", "GlobalParams": [{"Name": "a", "Expression": "1"}, {"Name": "a", "Expression": "2"}], "Rules": []}""", DiagnosticCodes.DuplicateParam)]
    [InlineData("\"just a string\"", DiagnosticCodes.InvalidRoot)]
    [InlineData("{\"WorkflowName\": \"W\", \"Rules\": [}", DiagnosticCodes.InvalidJson)]
    public void Read_ReportsMalformedWorkflow(string json, string code)
    {
        var result = WorkflowReader.Read("w.json", json);
        Assert.Contains(result.Diagnostics, d => d.Code == code && d.IsError);
    }

    [Fact]
    public void Read_AttachesAnErrorInsideARule_ToThatRule_AndStillHasErrors()
    {
        var result = WorkflowReader.Read("w.json", """
            {"WorkflowName": "W", "Rules": [
              {"RuleName": "Parent", "Operator": "Xor", "Rules": [{"RuleName": "Child", "Expression": "true", "Enabled": "yes"}]},
              {"RuleName": "Fine", "Expression": "true"}]}
            """);

        // A template with it must still not load; only eval runs past it.
        Assert.True(result.HasErrors);
        Assert.False(result.HasFileErrors);
        var parent = result.Workflows[0].Rules[0];
        Assert.Equal(DiagnosticCodes.InvalidOperator, Assert.Single(parent.ReadErrors).Code);
        Assert.Equal(DiagnosticCodes.WrongFieldType, Assert.Single(parent.Rules[0].ReadErrors).Code);
        Assert.Empty(result.Workflows[0].Rules[1].ReadErrors);
    }

    [Fact]
    public void Read_HasFileErrors_WhenAnErrorBelongsToNoRule()
    {
        var result = WorkflowReader.Read("w.json", """{"WorkflowName": "W", "GlobalParams": {}, "Rules": [{"RuleName": "R", "Expression": "true"}]}""");
        Assert.True(result.HasFileErrors);
    }

    [Fact]
    public void Read_ReportsJsonSyntaxError_AtItsLine()
    {
        var result = WorkflowReader.Read("w.json", "{\n  \"WorkflowName\": \"W\",\n  \"Rules\": [,]\n}");
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticCodes.InvalidJson, error.Code);
        Assert.Equal(3, error.Location.Line);
    }

    [Fact]
    public void Read_SaysUnexpectedEndOfFile_WhenTheFileIsCutOff()
    {
        // System.Text.Json blames a cut-off file on depth; this used to be reported as "nested more than 64 levels".
        var result = WorkflowReader.Read("w.json", "{\n  \"WorkflowName\": \"W\",\n  \"Rules\": [{\"RuleName\": \"R\"");

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("w.json:3:29: error CCR0001: Unexpected end of file: 2 objects and 1 array are still open.", error.ToString());
    }

    [Fact]
    public void Read_ReportsSyntaxErrorColumn_InCharacters_AfterNonAsciiText()
    {
        var result = WorkflowReader.Read("w.json", "{\"WorkflowName\": \"Å\", \"Rules\": [}");

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("w.json:1:33: error CCR0001: Not valid JSON: '}' is an invalid start of a value.", error.ToString());
    }

    [Fact]
    public void Read_RefusesDeepJson_WithoutOverflowingTheStack()
    {
        var json = "{\"WorkflowName\": \"W\", \"Rules\": [], \"x\": " + new string('[', 100_000) + new string(']', 100_000) + "}";
        Assert.Equal(DiagnosticCodes.NestingTooDeep, Assert.Single(WorkflowReader.Read("w.json", json).Diagnostics).Code);
    }

    [Fact]
    public void Read_RefusesHugeFiles_BeforeParsing()
    {
        var json = "[" + new string(' ', WorkflowReader.MaxFileBytes) + "]";
        Assert.Equal(DiagnosticCodes.FileTooLarge, Assert.Single(WorkflowReader.Read("w.json", json).Diagnostics).Code);
    }

    [Fact]
    public void Read_RefusesOverlongExpressions()
    {
        var expression = string.Join(" || ", Enumerable.Repeat("true", 3000));
        var result = WorkflowReader.Read("w.json", TestEngine.SingleRule(expression));
        Assert.Equal(DiagnosticCodes.ExpressionTooLong, Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void Hash_IgnoresFormattingAndKeyOrder_ButNotContent()
    {
        static string Hash(string json) => WorkflowSetHash.Compute(WorkflowReader.Read("w.json", json).Workflows);
        var a = Hash("""{"WorkflowName": "W", "Rules": [{"RuleName": "R", "Expression": "x > 1"}]}""");
        var b = Hash("""
            {
              "$schema": "ignored.json",
              "Rules": [ { "Expression": "x > 1", "RuleName": "R" } ],
              "WorkflowName": "W"
            }
            """);
        var c = Hash("""{"WorkflowName": "W", "Rules": [{"RuleName": "R", "Expression": "x > 2"}]}""");
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(64, a.Length);
    }
}

public class WorkflowLocationTests
{
    [Fact]
    public void LocationAt_CountsColumnsInCharacters_WhenFileHasUnescapedNonAsciiText()
    {
        const string json = "{\"WorkflowName\": \"Välfärd\", \"Rules\": [{\"RuleName\": \"Å\", \"Expression\": \"p.namn == \\\"Åsa\\\" && p.ålder > 1\"}]}";
        var expression = WorkflowReader.Read("w.json", json).Workflows[0].Rules[0].Expression!;
        var offset = expression.Text.IndexOf("ålder", StringComparison.Ordinal);
        Assert.Equal(new SourceLocation("w.json", 1, json.IndexOf("ålder", StringComparison.Ordinal) + 1), expression.LocationAt(offset));
    }
}
