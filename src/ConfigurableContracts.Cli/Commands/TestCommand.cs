using System.CommandLine;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules.Testing;

namespace ConfigurableContracts.Cli.Commands;

/// <summary><c>contracts test [DIR]</c>: runs every rule test case the templates ship; a line per case, details on failure.</summary>
internal static class TestCommand
{
    public static Command Create()
    {
        var directory = new Argument<DirectoryInfo?>("DIR")
        {
            Description = "The repository holding schemas/ and rules/ (default: the current folder).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("test", "Run the rule test cases shipped with each template; exit 1 on any failure.") { directory };
        command.SetAction(parseResult =>
        {
            var root = parseResult.GetValue(directory)?.FullName ?? Directory.GetCurrentDirectory();
            var output = parseResult.InvocationConfiguration.Output;
            var passed = 0;
            var failed = 0;
            foreach (var report in TemplateTestRunner.RunAll(root))
            {
                foreach (var diagnostic in report.Diagnostics.Where(d => d.IsError))
                {
                    output.WriteLine(diagnostic.ToString());
                    failed++;
                }

                foreach (var result in report.Results)
                {
                    output.WriteLine($"{report.TemplateId}: {RuleTestRunner.Format(result)}");
                    if (result.Passed)
                    {
                        passed++;
                    }
                    else
                    {
                        failed++;
                    }
                }
            }

            output.WriteLine($"{passed} passed, {failed} failed");
            return failed == 0 ? 0 : 1;
        });
        return command;
    }
}
