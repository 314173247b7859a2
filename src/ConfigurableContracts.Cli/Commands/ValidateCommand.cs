using System.CommandLine;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Cli.Commands;

/// <summary>
/// <c>contracts validate [DIR]</c>: loads every template and rule file under a repository (or one template), type-checks
/// everything, runs nothing, and prints each finding as <c>path:line:col: error CODE: message</c> — the form editors
/// and CI systems turn into clickable annotations.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var directory = TemplateSelection.DirectoryArgument();
        var template = TemplateSelection.TemplateOption();
        var warningsAsErrors = TemplateSelection.WarningsAsErrorsOption();
        var command = new Command("validate", "Load and type-check every template and rule file; exit 1 on any error.") { directory, template, warningsAsErrors };
        command.SetAction(parseResult =>
        {
            var (selection, problem) = TemplateSelection.Resolve(parseResult.GetValue(directory)?.FullName ?? Directory.GetCurrentDirectory(), parseResult.GetValue(template));
            if (selection is null)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"error: {problem}");
                return 1;
            }

            var result = Validate(selection);
            var output = parseResult.InvocationConfiguration.Output;
            foreach (var diagnostic in result.Diagnostics)
            {
                output.WriteLine(diagnostic.ToString());
            }

            var errors = result.Diagnostics.Count(d => d.IsError);
            var warnings = result.Diagnostics.Count - errors;
            var failing = errors + (parseResult.GetValue(warningsAsErrors) ? warnings : 0);
            output.WriteLine($"{result.Templates} template(s), {result.RuleFiles} rule file(s): {errors} error(s), {warnings} warning(s).");
            if (failing > errors)
            {
                output.WriteLine($"--warnings-as-errors: {warnings} warning(s) fail the run.");
            }

            return failing == 0 ? 0 : 1;
        });
        return command;
    }

    internal sealed record ValidationResult(int Templates, int RuleFiles, IReadOnlyList<Diagnostic> Diagnostics);

    internal static ValidationResult Validate(TemplateSelection selection)
    {
        var loader = new TemplateLoader(selection.Root, new TemplateOptions());
        var diagnostics = new List<Diagnostic>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        var folders = loader.TemplateFolders().Where(f => selection.TemplateIds.Contains(Path.GetFileName(f))).ToList();
        foreach (var folder in folders)
        {
            var result = loader.Load(folder);
            diagnostics.AddRange(result.Diagnostics);
            foreach (var file in result.Version?.Files.Keys ?? [])
            {
                covered.Add(file);
            }
        }

        // Workflow files no manifest runs are still read, so a stray typo never hides until someone wires it in. A run
        // on some templates only reads their rules folders: the rest of the repository is not what was asked about.
        IEnumerable<string> ruleFolders = selection.IsWholeRepository
            ? [loader.RulesRoot]
            : folders.Select(TemplateSelection.RulesFolder).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var ruleFiles = 0;
        foreach (var path in ruleFolders.Where(Directory.Exists)
            .SelectMany(f => Directory.EnumerateFiles(f, "*.json", SearchOption.AllDirectories))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal))
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

        return new ValidationResult(folders.Count, ruleFiles, diagnostics.Distinct().ToList());
    }
}
