using System.CommandLine;
using System.Text.Json;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Templates.Schemas;

namespace ConfigurableContracts.Cli.Commands;

/// <summary>
/// <c>contracts schema check --schema FILE DATA [--all]</c>: validates a JSON document or a JSON Lines file against a
/// template schema under the guard, one output line per document, so a script can pair lines with input records:
/// control characters and line separators in paths and messages are printed as JSON escapes, so no name or value
/// from a document can break a line. Exit codes: 0 all valid, 1 any invalid, 2 the schema (or the data file) could
/// not be used.
/// </summary>
internal static class SchemaCommand
{
    public const int AllValid = 0;
    public const int SomeInvalid = 1;
    public const int Rejected = 2;

    public static Command Create()
    {
        var schemaOption = new Option<FileInfo>("--schema")
        {
            Description = "The JSON Schema file; its folder is the template folder its $refs must stay inside.",
            Required = true,
        };
        var dataArgument = new Argument<FileInfo>("DATA")
        {
            Description = "A JSON document, or a JSON Lines file (.jsonl, or detected from the content) with one document per line.",
        };

        var allOption = new Option<bool>("--all")
        {
            Description = "List every error of an invalid document on its line, separated by \"; \", instead of the first and a count of the others.",
        };

        var check = new Command("check", "Validate a JSON document or JSON Lines file against a template schema.")
        {
            schemaOption,
            dataArgument,
            allOption,
        };
        check.SetAction((parseResult, cancellationToken) => CheckAsync(
            parseResult.GetRequiredValue(schemaOption),
            parseResult.GetRequiredValue(dataArgument),
            parseResult.GetValue(allOption),
            parseResult.InvocationConfiguration.Output,
            cancellationToken));

        return new Command("schema", "Work with the JSON Schemas of a template.") { check, SchemaCodegenCommand.Create() };
    }

    private static async Task<int> CheckAsync(FileInfo schemaFile, FileInfo dataFile, bool all, TextWriter output, CancellationToken cancellationToken)
    {
        var templateFolder = schemaFile.DirectoryName ?? Directory.GetCurrentDirectory();
        // FileInfo.ToString() is the path as typed, so diagnostics point where the author looks.
        var loaded = await new SchemaGuard().LoadAsync(templateFolder, schemaFile.ToString(), cancellationToken).ConfigureAwait(false);
        if (!loaded.Succeeded)
        {
            foreach (var diagnostic in loaded.Diagnostics)
                await output.WriteLineAsync(OneLineText.Escape($"rejected: {diagnostic}")).ConfigureAwait(false);
            return Rejected;
        }

        if (!dataFile.Exists)
        {
            await output.WriteLineAsync(OneLineText.Escape($"rejected: data file {dataFile.FullName} not found")).ConfigureAwait(false);
            return Rejected;
        }

        var schema = loaded.Schema!;
        var anyInvalid = false;
        foreach (var document in ReadDocuments(dataFile))
        {
            var errors = schema.Validate(document);
            anyInvalid |= errors.Count > 0;
            await output.WriteLineAsync(Verdict(errors, all)).ConfigureAwait(false);
        }

        return anyInvalid ? SomeInvalid : AllValid;
    }

    private static string Verdict(IReadOnlyList<DocumentError> errors, bool all)
    {
        if (errors.Count == 0)
            return "valid";
        if (all)
            return "invalid: " + string.Join("; ", errors.Select(Line));
        var more = errors.Count > 1 ? $" (+{errors.Count - 1} more)" : "";
        return $"invalid: {Line(errors[0])}{more}";
    }

    // Paths come escaped from the guard; a message can still quote a schema's pattern or a document's value.
    private static string Line(DocumentError error) => $"{error.Path}: {OneLineText.Escape(error.Message)}";

    /// <summary>
    /// A .jsonl/.ndjson file is JSON Lines; any other file is one document unless it is not valid JSON as a whole while
    /// its first non-blank line is, which is what a JSON Lines file looks like. Blank lines hold no document.
    /// </summary>
    private static IEnumerable<string> ReadDocuments(FileInfo dataFile)
    {
        // Named JSON Lines files are streamed: a bulk file of measurements need not fit in memory.
        if (dataFile.Extension.ToUpperInvariant() is ".JSONL" or ".NDJSON")
            return NonBlank(File.ReadLines(dataFile.FullName));

        var text = File.ReadAllText(dataFile.FullName);
        if (IsJson(text) || !IsJson(FirstNonBlankLine(text)))
            return [text];
        return NonBlank(text.Split('\n'));
    }

    private static IEnumerable<string> NonBlank(IEnumerable<string> lines) =>
        lines.Select(line => line.TrimEnd('\r')).Where(line => !string.IsNullOrWhiteSpace(line));

    private static string FirstNonBlankLine(string text) =>
        text.Split('\n').FirstOrDefault(line => !string.IsNullOrWhiteSpace(line)) ?? "";

    private static bool IsJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
