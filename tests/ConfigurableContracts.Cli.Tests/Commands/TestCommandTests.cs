using System.CommandLine;
using ConfigurableContracts.Cli.Commands;

namespace ConfigurableContracts.Cli.Tests.Commands;

public sealed class TestCommandTests : IDisposable
{
    private const string CohortTests = "rules/preventive-youth-support/tests/cohort-target.tests.json";

    private readonly RepositoryCopy _repository = RepositoryCopy.Create();

    public void Dispose() => _repository.Dispose();

    private static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(TestCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private static string[] CaseLines(string output) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("preventive-youth-support: ", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void Test_PrintsAPassLinePerCase_AndExitsZero_WhenEveryCasePasses()
    {
        var (exitCode, output, _) = Invoke("test", _repository.Root);

        Assert.Equal(0, exitCode);
        var lines = CaseLines(output);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.StartsWith("preventive-youth-support: PASS ", l, StringComparison.Ordinal));
        Assert.Contains($"{lines.Length} passed, 0 failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_PrintsAFailLine_AndExitsOne_WhenOneCaseFails()
    {
        _repository.Replace(CohortTests, "\"CohortDenominator\": { \"status\": \"Achieved\", \"output\": 2 }", "\"CohortDenominator\": { \"status\": \"Achieved\", \"output\": 7 }");

        var (exitCode, output, _) = Invoke("test", _repository.Root);

        Assert.Equal(1, exitCode);
        var lines = CaseLines(output);
        var failed = Assert.Single(lines, l => l.Contains(" FAIL ", StringComparison.Ordinal));
        Assert.StartsWith("preventive-youth-support: FAIL an excluded exit is left out of the numerator too", failed, StringComparison.Ordinal);
        Assert.Equal(lines.Length - 1, lines.Count(l => l.Contains(" PASS ", StringComparison.Ordinal)));
        Assert.Contains("CohortDenominator: expected output 7, actual 2.", output, StringComparison.Ordinal);
        Assert.Contains($"{lines.Length - 1} passed, 1 failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_PrintsTheExpectedAndTheActualResult_WhenACaseFails()
    {
        _repository.Replace(CohortTests, "\"CohortDenominator\": { \"status\": \"Achieved\", \"output\": 2 }", "\"CohortDenominator\": { \"status\": \"Achieved\", \"output\": 7 }");

        var (_, output, _) = Invoke("test", _repository.Root);

        var expectedAt = output.IndexOf("  expected (as the test case states it):", StringComparison.Ordinal);
        var actualAt = output.IndexOf("  actual result tree:", StringComparison.Ordinal);
        Assert.True(expectedAt > 0 && actualAt > expectedAt, output);
        var expected = output[expectedAt..actualAt];
        Assert.Contains("\"output\": 7", expected, StringComparison.Ordinal);
        Assert.Contains("\"CohortTargetReached\"", expected, StringComparison.Ordinal);
        Assert.Contains("\"ruleName\": \"CohortDenominator\"", output[actualAt..], StringComparison.Ordinal);
    }
}
