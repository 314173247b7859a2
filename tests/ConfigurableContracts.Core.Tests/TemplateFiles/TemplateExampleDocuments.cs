using System.Text.Json;
using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Core.Tests.TemplateFiles;

/// <summary>
/// Every document a template ships as an example, for tests that feed real documents to something: the schema guard's
/// differential check here, and the round trip of generated models in the CLI tests (which link this file).
/// </summary>
internal static class TemplateExampleDocuments
{
    /// <summary>
    /// The template's example documents by schema key: examples/contract.json is a contract, examples/participants.jsonl
    /// holds participants, and each rule test's inline inputs are documents of the key the workflow's input names.
    /// </summary>
    public static IEnumerable<(string Key, string Json, string Where)> Read(string folder, TemplateManifest manifest)
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(folder, "examples")).Order(StringComparer.Ordinal))
        {
            var stem = Path.GetFileName(file).Split('.')[0];
            var key = new[] { stem, stem.TrimEnd('s') }.FirstOrDefault(manifest.Schemas!.ContainsKey);
            if (key is null)
                continue;
            var lines = File.ReadAllLines(file);
            if (file.EndsWith(".jsonl", StringComparison.Ordinal))
            {
                for (var i = 0; i < lines.Length; i++)
                {
                    if (lines[i].Length > 0)
                        yield return (key, lines[i], $"{Path.GetFileName(file)}:{i + 1}");
                }
            }
            else
            {
                yield return (key, string.Join('\n', lines), Path.GetFileName(file));
            }
        }

        var tests = Path.GetFullPath(Path.Combine(folder, manifest.Rules!.Folder!, manifest.Rules.Tests!));
        foreach (var file in Directory.EnumerateFiles(tests, "*.tests.json").Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var testCase in document.RootElement.GetProperty("cases").EnumerateArray())
            {
                var inputs = manifest.Workflows!.Single(w => w.Name == testCase.GetProperty("workflow").GetString()).Inputs!;
                foreach (var input in testCase.GetProperty("inputs").EnumerateObject())
                {
                    var declared = inputs[input.Name];
                    var key = declared.TrimEnd(']').TrimEnd('[');
                    if (!manifest.Schemas!.ContainsKey(key) || input.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
                        continue; // dates, nulls (a measurement not taken) and "@file" references to the examples above
                    var where = $"{Path.GetFileName(file)} \"{testCase.GetProperty("name").GetString()}\" {input.Name}";
                    var documents = declared.EndsWith("[]", StringComparison.Ordinal) ? input.Value.EnumerateArray().ToList() : [input.Value];
                    foreach (var item in documents)
                        yield return (key, item.GetRawText(), where);
                }
            }
        }
    }
}
