using System.CommandLine;
using ConfigurableContracts.Conformance;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Cli.Commands;

/// <summary>
/// <c>contracts conformance [DIR]</c>: runs each template's rule test cases on Microsoft RulesEngine too and says, rule
/// by rule, whether RulesEngine gives the same answers — what of the template another RulesEngine-based system could
/// run unchanged. Informational by default; <c>--strict</c> fails on any rule that is not portable.
/// </summary>
internal static class ConformanceCommand
{
    public static Command Create()
    {
        var directory = TemplateSelection.DirectoryArgument();
        var template = TemplateSelection.TemplateOption();
        var strict = new Option<bool>("--strict")
        {
            Description = "Exit 1 unless every rule is portable: RulesEngine runs it and agrees in every test case that reaches it.",
        };
        var command = new Command("conformance",
            "Run the templates' rule test cases on Microsoft RulesEngine 6 as well, and report rule by rule where it would answer differently or cannot run a rule.")
        {
            directory, template, strict,
        };
        command.SetAction(parseResult =>
        {
            var (selection, problem) = TemplateSelection.Resolve(parseResult.GetValue(directory)?.FullName ?? Directory.GetCurrentDirectory(), parseResult.GetValue(template));
            if (selection is null)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"error: {problem}");
                return 1;
            }

            var output = parseResult.InvocationConfiguration.Output;
            var unreadable = false;
            var counts = Enum.GetValues<Portability>().ToDictionary(v => v, _ => 0);
            foreach (var report in TemplateTestRunner.RunAll(selection.Root, selection.TemplateIds))
            {
                if (report.Template is not { } loaded)
                {
                    foreach (var diagnostic in report.Diagnostics.Where(d => d.IsError))
                    {
                        output.WriteLine(OneLineText.Escape(diagnostic.ToString()));
                    }

                    unreadable = true;
                    continue;
                }

                var check = new PortabilityCheck(WorkflowFiles(loaded));
                foreach (var result in report.Results.Where(r => r.Actual is not null))
                {
                    check.AddCase(result.Name, result.Workflow, result.Inputs, result.Actual!);
                }

                foreach (var rule in check.Rules())
                {
                    counts[rule.Verdict]++;
                    // A case name may hold a newline: one verdict stays one line.
                    output.WriteLine(OneLineText.Escape(PortabilityCheck.Format(rule)));
                }
            }

            output.WriteLine($"{counts[Portability.Portable]} portable, {counts[Portability.DiffersOnMissingData]} differ only on missing data, " +
                $"{counts[Portability.Differs]} differ, {counts[Portability.NotRunnable]} not runnable on RulesEngine, {counts[Portability.NotExercised]} not reached by any case");
            if (unreadable)
            {
                return 1;
            }

            var notPortable = counts.Where(c => c.Key != Portability.Portable).Sum(c => c.Value);
            return parseResult.GetValue(strict) && notPortable > 0 ? 1 : 0;
        });
        return command;
    }

    /// <summary>The template's workflow files by their bundle key, as the manifest lists them.</summary>
    private static Dictionary<string, string> WorkflowFiles(TemplateVersion template)
    {
        // The manifest names the rules folder relative to itself ("../../rules/<name>"); bundle keys end in "<name>/<file>".
        var folder = Path.GetFileName((template.Declared.Rules?.Folder ?? "").TrimEnd('/', '\\'));
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var workflow in template.Declared.Workflows ?? [])
        {
            var suffix = $"/{folder}/{workflow.File}";
            foreach (var (key, text) in template.Files.Where(f => f.Key.EndsWith(suffix, StringComparison.Ordinal) || f.Key == suffix[1..]))
            {
                files[key] = text;
            }
        }

        return files;
    }
}
