using System.CommandLine;
using ConfigurableContracts.Cli.Commands;

namespace ConfigurableContracts.Cli.Tests.Commands;

public sealed class ValidateCommandTests : IDisposable
{
    private const string CohortRules = "rules/preventive-youth-support/cohort-target.json";

    private readonly RepositoryCopy _repository = RepositoryCopy.Create();

    public void Dispose() => _repository.Dispose();

    private static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(ValidateCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public void Validate_ExitsZero_AndReportsNoError_OnTheShippedTemplates()
    {
        var (exitCode, output, _) = Invoke("validate", _repository.Root);

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain(": error ", output, StringComparison.Ordinal);
        Assert.Contains("1 template(s), 2 rule file(s): 0 error(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PrintsPathLineColumnCodeAndMessage_AndExitsOne_WhenAFieldIsMisspelled()
    {
        _repository.Replace(CohortRules, "\"Expression\": \"denominator > 0\"", "\"Expression\": \"contract.targetShar > 0\"");
        var line = _repository.LineOf(CohortRules, "contract.targetShar > 0");

        var (exitCode, output, _) = Invoke("validate", _repository.Root);

        Assert.Equal(1, exitCode);
        var error = Assert.Single(output.Split('\n'), l => l.Contains(": error ", StringComparison.Ordinal));
        Assert.Matches($@"^{CohortRules}:{line}:\d+: error CCR0202: .*'targetShar'.*Did you mean 'targetShare'\?", error);
        Assert.Contains("1 error(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportsAStrayWorkflowFile_ThatNoManifestRuns()
    {
        File.WriteAllText(Path.Combine(_repository.Root, "rules", "stray.json"), "{ \"WorkflowName\": \"Stray\", \"Rules\": [,] }");

        var (exitCode, output, _) = Invoke("validate", _repository.Root);

        Assert.Equal(1, exitCode);
        Assert.Contains("rules/stray.json:1:", output, StringComparison.Ordinal);
        Assert.Contains("error CCR0001", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_StillFails_OnAnErrorThatEvalConfinesToOneRule()
    {
        _repository.Replace(CohortRules, "\"RuleName\": \"CohortDenominator\",", "\"RuleName\": \"CohortDenominator\", \"Enabled\": \"yes\",");
        var line = _repository.LineOf(CohortRules, "\"Enabled\": \"yes\"");

        var (exitCode, output, _) = Invoke("validate", _repository.Root);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{CohortRules}:{line}:", output, StringComparison.Ordinal);
        Assert.Contains("error CCR0006: 'Enabled' must be true or false", output, StringComparison.Ordinal);
    }
}
