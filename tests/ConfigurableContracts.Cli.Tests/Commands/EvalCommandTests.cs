using System.CommandLine;
using System.Text.Json;
using ConfigurableContracts.Cli.Commands;

namespace ConfigurableContracts.Cli.Tests.Commands;

public sealed class EvalCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("eval-command-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(EvalCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private const string Workflow = """
        [
          {
            "WorkflowName": "IndividualOutcomes",
            "GlobalParams": [{ "Name": "change", "Expression": "followUp6.score - baseline.score" }],
            "Rules": [
              { "RuleName": "BrokeNegativeDevelopment", "Expression": "change >= 1.5" },
              { "RuleName": "OutcomePayment", "Expression": "change >= 1.5 && participant.exitReason == null",
                "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "contract.outcomePayment" } } } },
              { "RuleName": "Typo", "Expression": "participant.agee > 15" }
            ]
          },
          { "WorkflowName": "Other", "Rules": [{ "RuleName": "Always", "Expression": "true" }] }
        ]
        """;

    [Fact]
    public void Eval_PrintsResultsOfEveryWorkflow_AsJson()
    {
        var workflow = Write("outcomes.json", Workflow);
        var (exitCode, output, error) = Invoke("eval", workflow,
            "--input", $"contract={Write("contract.json", """{"outcomePayment": 30000}""")}",
            "--input", $"participant={Write("participant.json", """{"age": 16, "exitReason": null}""")}",
            "--input", $"baseline={Write("baseline.json", """{"score": 2}""")}",
            "--input", $"followUp6={Write("followUp6.json", """{"score": 4.0}""")}");

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        using var document = JsonDocument.Parse(output);
        var workflows = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(["IndividualOutcomes", "Other"], workflows.Select(w => w.GetProperty("workflow").GetString()));
        var results = workflows[0].GetProperty("results").EnumerateArray().ToList();
        Assert.Equal("Achieved", results[0].GetProperty("status").GetString());
        Assert.True(results[0].GetProperty("isSuccess").GetBoolean());
        Assert.Equal("", results[0].GetProperty("exceptionMessage").GetString());
        Assert.Equal(JsonValueKind.Null, results[0].GetProperty("childResults").ValueKind);
        Assert.Equal(30000, results[1].GetProperty("actionOutput").GetDecimal());
    }

    [Fact]
    public void Eval_ReportsUnboundRuleInItsOwnResult_AndRunsTheOthers()
    {
        var workflow = Write("outcomes.json", Workflow);
        var (exitCode, output, _) = Invoke("eval", workflow, "--workflow", "IndividualOutcomes",
            "--input", $"participant={Write("participant.json", """{"age": 16}""")}",
            "--input", $"baseline={Write("baseline.json", """{"score": 2}""")}",
            "--input", $"followUp6={Write("followUp6.json", "null")}",
            "--input", $"contract={Write("contract.json", """{"outcomePayment": 30000}""")}");

        Assert.Equal(0, exitCode);
        using var document = JsonDocument.Parse(output);
        var workflowResult = Assert.Single(document.RootElement.EnumerateArray());
        var results = workflowResult.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal("NotEvaluable", results[0].GetProperty("status").GetString());
        Assert.Equal("'followUp6' is missing", results[0].GetProperty("reason").GetString());
        var typo = results[2];
        Assert.Equal("Error", typo.GetProperty("status").GetString());
        Assert.False(typo.GetProperty("isSuccess").GetBoolean());
        Assert.Contains("error CCR0202: 'participant' has no field 'agee'. Did you mean 'age'?", typo.GetProperty("exceptionMessage").GetString(), StringComparison.Ordinal);
        Assert.Contains("outcomes.json:9:", typo.GetProperty("exceptionMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_ExitsWith2_AndDiagnosticsOnStderr_WhenFileIsNotAWorkflow()
    {
        var workflow = Write("broken.json", "{\n  \"WorkflowName\": \"W\",\n  \"Rules\": [,]\n}");
        var (exitCode, output, error) = Invoke("eval", workflow);
        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.StartsWith($"{workflow}:3:", error, StringComparison.Ordinal);
        Assert.Contains("error CCR0001", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_ExitsWith2_WhenFileDoesNotExist()
    {
        var (exitCode, output, error) = Invoke("eval", Path.Combine(_directory.FullName, "missing.json"));
        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains("cannot read the file", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_ExitsWith2_WhenWorkflowNameIsUnknown()
    {
        var (exitCode, _, error) = Invoke("eval", Write("outcomes.json", Workflow), "--workflow", "Nope");
        Assert.Equal(2, exitCode);
        Assert.Contains("no workflow named 'Nope'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_ExitsWith2_WhenAnInputIsMalformed()
    {
        var (exitCode, _, error) = Invoke("eval", Write("outcomes.json", Workflow), "--input", "participant");
        Assert.Equal(2, exitCode);
        Assert.Contains("expected NAME=FILE.json", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_PrintsWarnings_ButStillEvaluates()
    {
        var workflow = Write("w.json", """{"WorkflowName": "W", "Rules": [{"RuleName": "R", "Expression": "true", "ErrorType": "Error"}]}""");
        var (exitCode, output, error) = Invoke("eval", workflow);
        Assert.Equal(0, exitCode);
        Assert.Contains("warning CCR0008", error, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"Achieved\"", output, StringComparison.Ordinal);
    }
}
