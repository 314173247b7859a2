using System.CommandLine;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Cli.Commands;

/// <summary>
/// <c>contracts validate [DIR]</c>: loads every template and rule file under a repository, type-checks everything,
/// runs nothing, and prints each finding as <c>path:line:col: error CODE: message</c> — the form editors and CI
/// systems turn into clickable annotations.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var directory = new Argument<DirectoryInfo?>("DIR")
        {
            Description = "The repository to check (default: the current folder); it holds schemas/ and rules/.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("validate", "Load and type-check every template and rule file; exit 1 on any error.") { directory };
        command.SetAction(parseResult =>
        {
            var root = parseResult.GetValue(directory)?.FullName ?? Directory.GetCurrentDirectory();
            var result = Validate(root);
            var output = parseResult.InvocationConfiguration.Output;
            foreach (var diagnostic in result.Diagnostics)
            {
                output.WriteLine(diagnostic.ToString());
            }

            var errors = result.Diagnostics.Count(d => d.IsError);
            output.WriteLine($"{result.Templates} template(s), {result.RuleFiles} rule file(s): {errors} error(s), {result.Diagnostics.Count - errors} warning(s).");
            return errors == 0 ? 0 : 1;
        });
        return command;
    }

    internal sealed record ValidationResult(int Templates, int RuleFiles, IReadOnlyList<Diagnostic> Diagnostics);

    internal static ValidationResult Validate(string root)
    {
        var loader = new TemplateLoader(root, new TemplateOptions());
        var diagnostics = new List<Diagnostic>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        var templates = 0;
        foreach (var folder in loader.TemplateFolders())
        {
            templates++;
            var result = loader.Load(folder);
            diagnostics.AddRange(result.Diagnostics);
            foreach (var file in result.Version?.Files.Keys ?? [])
            {
                covered.Add(file);
            }
        }

        // Workflow files no manifest runs are still read, so a stray typo never hides until someone wires it in.
        var ruleFiles = 0;
        if (Directory.Exists(loader.RulesRoot))
        {
            foreach (var path in Directory.EnumerateFiles(loader.RulesRoot, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var display = loader.DisplayPath(path);
                if (display.EndsWith(".tests.json", StringComparison.Ordinal))
                {
                    continue;
                }

                ruleFiles++;
                if (!covered.Contains(display))
                {
                    diagnostics.AddRange(WorkflowReader.Read(display, File.ReadAllText(path)).Diagnostics);
                }
            }
        }

        return new ValidationResult(templates, ruleFiles, diagnostics.Distinct().ToList());
    }
}
