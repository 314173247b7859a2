using System.CommandLine;
using System.Text.Json;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Rules;
using ConfigurableContracts.Rules.Compilation;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Functions;
using ConfigurableContracts.Rules.Types;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Cli.Commands;

/// <summary>
/// <c>contracts eval &lt;workflow.json&gt; [--workflow NAME] --input NAME=FILE.json …</c>: runs a RulesEngine workflow
/// file against JSON inputs whose types are inferred from the data, and prints the result trees as JSON (whose strings
/// escape control characters, as JSON does). Each diagnostic is one line on stderr: control characters and line
/// separators in it, say from a property or rule name quoted in a message, are printed as JSON escapes.
/// </summary>
internal static class EvalCommand
{
    /// <summary>
    /// The file is not a readable workflow (an error that belongs to no rule), the functions file is refused, an input
    /// cannot be read, or the workflow name is unknown. Errors inside a rule still exit 0: that rule reports Error.
    /// </summary>
    public const int UnreadableExitCode = 2;

    public static Command Create()
    {
        var file = new Argument<string>("workflow") { Description = "Workflow JSON file (one workflow or an array of them)." };
        var workflow = new Option<string?>("--workflow") { Description = "Run only this workflow of the file." };
        var inputs = new Option<string[]>("--input")
        {
            Description = "An input as NAME=FILE.json; repeat for each input. Types are inferred from the data.",
            AllowMultipleArgumentsPerToken = true,
        };
        var functions = new Option<string?>("--functions")
        {
            Description = "A template's functions.js, so rules can call fn.name(...); run in the same sandbox as on the server.",
        };
        var command = new Command("eval", "Evaluate a workflow file against JSON inputs and print the rule results as JSON.")
        {
            file,
            workflow,
            inputs,
            functions,
        };
        command.SetAction(parseResult => Run(
            parseResult.GetValue(file)!,
            parseResult.GetValue(workflow),
            parseResult.GetValue(inputs) ?? [],
            parseResult.GetValue(functions),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(string path, string? workflowName, string[] inputArguments, string? functionsPath, TextWriter output, TextWriter error)
    {
        JavaScriptFunctions? functions = null;
        if (functionsPath is not null)
        {
            string source;
            try
            {
                source = File.ReadAllText(functionsPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine(OneLineText.Escape($"{functionsPath}:1:1: error CCR0400: cannot read the file: {e.Message}"));
                return UnreadableExitCode;
            }

            functions = JavaScriptFunctions.Load(functionsPath, source, out var scriptDiagnostics);
            foreach (var diagnostic in scriptDiagnostics)
            {
                error.WriteLine(OneLineText.Escape(diagnostic.ToString()));
            }

            if (functions is null)
            {
                return UnreadableExitCode;
            }
        }

        WorkflowReadResult read;
        try
        {
            read = WorkflowReader.ReadFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine(OneLineText.Escape($"{path}:1:1: error {DiagnosticCodes.InvalidJson}: cannot read the file: {e.Message}"));
            return UnreadableExitCode;
        }
        // An error inside one rule (an unknown action, Enabled: "yes", …) makes that rule report Error below; only
        // an error that belongs to no rule means the file is not a readable workflow.
        foreach (var diagnostic in read.Diagnostics) error.WriteLine(OneLineText.Escape(diagnostic.ToString()));
        if (read.HasFileErrors) return UnreadableExitCode;

        var types = new Dictionary<string, RuleType>(StringComparer.Ordinal);
        var inputs = new RuleInputs();
        foreach (var argument in inputArguments)
        {
            if (!TryReadInput(argument, out var name, out var json, out var problem))
            {
                error.WriteLine(OneLineText.Escape($"--input {argument}: {problem}"));
                return UnreadableExitCode;
            }
            types[name] = RuleType.InferInput(json);
            inputs.SetJson(name, json, types[name]);
        }

        var selected = read.Workflows.Where(w => workflowName is null || w.Name == workflowName).ToList();
        if (selected.Count == 0)
        {
            error.WriteLine(OneLineText.Escape($"{path}: no workflow named '{workflowName}'; the file has: {string.Join(", ", read.Workflows.Select(w => w.Name))}."));
            return UnreadableExitCode;
        }

        // Rules that do not bind against these inputs report Error in their own result, as in RulesEngine. Every
        // diagnostic also goes to stderr: an error that belongs to no rule (an unknown injected workflow, an injection
        // cycle, a GlobalParam that does not bind) has no result to appear in, and would otherwise vanish.
        var compilation = WorkflowCompiler.Compile(read.Workflows, types, functions);
        foreach (var diagnostic in compilation.Diagnostics) error.WriteLine(OneLineText.Escape(diagnostic.ToString()));

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var definition in selected)
            {
                writer.WriteStartObject();
                writer.WriteString("workflow", definition.Name);
                writer.WritePropertyName("results");
                RuleResultJson.WriteResults(writer, compilation.Workflows.Evaluate(definition.Name, inputs));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        return 0;
    }

    private static bool TryReadInput(string argument, out string name, out JsonElement json, out string problem)
    {
        name = "";
        json = default;
        var separator = argument.IndexOf('=', StringComparison.Ordinal);
        if (separator <= 0 || separator == argument.Length - 1)
        {
            problem = "expected NAME=FILE.json.";
            return false;
        }
        name = argument[..separator];
        var file = argument[(separator + 1)..];
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read '{file}': {e.Message}";
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
            json = document.RootElement.Clone();
            problem = "";
            return true;
        }
        catch (JsonException e)
        {
            var syntax = JsonSyntaxError.Describe(text, new JsonReaderOptions { MaxDepth = 64 }, e);
            problem = $"{file}:{syntax.Line}:{syntax.Column}: {syntax.Message}";
            return false;
        }
    }
}
