using System.Text.Json;
using ConfigurableContracts.Rules.Evaluation;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace ConfigurableContracts.Rules.Testing;

/// <summary>
/// A failing case's expected and actual results as a unified-style line diff. Both sides have the shape the case
/// states (one line per rule path it names, with the output where it names one), so the diff shows exactly the
/// expectations that did not hold, among the ones that did; the whole actual tree would bury them.
/// </summary>
internal static class ResultTreeDiff
{
    /// <summary>Unchanged lines shown around each change.</summary>
    private const int Context = 2;

    /// <summary>The <c>expect</c> object as the case states it, one rule path per line.</summary>
    public static IReadOnlyList<string> Expected(IReadOnlyList<RuleExpectation> expectations) =>
        Lines(expectations.Select(e => (e.RulePath, Entry(e.Status.ToString(), e.Output is { } output ? Compact(output) : null))));

    /// <summary>
    /// The actual results in the same shape: for each path the case names, the status reached and (where the case
    /// states an output) the output produced. A part that matched is written exactly as the case wrote it, so
    /// <c>0.50</c> against an actual <c>0.5</c> is no difference.
    /// </summary>
    public static IReadOnlyList<string> Actual(IReadOnlyList<RuleExpectation> expectations, IReadOnlyList<RuleResultTree> results) =>
        Lines(expectations.Select(e =>
        {
            if (results.Find(e.RulePath) is not { } actual) return (e.RulePath, "\"(no such enabled rule)\"");
            if (e.Output is not { } output) return (e.RulePath, Entry(actual.Status.ToString(), null));
            var outputText = RuleTestRunner.OutputMatches(output, actual.ActionOutput) ? Compact(output) : RuleTestRunner.ToJson(actual.ActionOutput);
            return (e.RulePath, Entry(actual.Status.ToString(), outputText));
        }));

    /// <summary>
    /// <c>-</c> lines only in <paramref name="expected"/>, <c>+</c> lines only in <paramref name="actual"/>, and a little
    /// unchanged context around them; a longer unchanged stretch is shown as <c>…</c>.
    /// </summary>
    public static IReadOnlyList<string> Unified(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        var pieces = InlineDiffBuilder.Diff(string.Join('\n', expected), string.Join('\n', actual), ignoreWhiteSpace: false).Lines;
        var changed = pieces.Select(p => p.Type != ChangeType.Unchanged).ToArray();
        var lines = new List<string> { "--- expected (as the case states it)", "+++ actual" };
        var skipped = false;
        bool NearChange(int line)
        {
            for (var j = Math.Max(0, line - Context); j <= Math.Min(pieces.Count - 1, line + Context); j++)
                if (changed[j]) return true;
            return false;
        }

        for (var i = 0; i < pieces.Count; i++)
        {
            if (!NearChange(i))
            {
                if (!skipped) lines.Add(" …");
                skipped = true;
                continue;
            }
            skipped = false;
            var marker = pieces[i].Type switch { ChangeType.Deleted => '-', ChangeType.Inserted => '+', _ => ' ' };
            lines.Add(marker + pieces[i].Text);
        }
        return lines;
    }

    /// <summary>Rule names and outputs are shown as written (å stays å), on one line each.</summary>
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Compact(JsonElement value) => JsonSerializer.Serialize(value, Readable);

    private static string Entry(string status, string? output)
    {
        var statusJson = JsonSerializer.Serialize(status, Readable);
        return output is null ? statusJson : $"{{\"status\": {statusJson}, \"output\": {output}}}";
    }

    private static List<string> Lines(IEnumerable<(string Path, string Value)> entries)
    {
        var list = entries.ToList();
        var lines = new List<string> { "{" };
        for (var i = 0; i < list.Count; i++)
            lines.Add($"  {JsonSerializer.Serialize(list[i].Path, Readable)}: {list[i].Value}{(i < list.Count - 1 ? "," : "")}");
        lines.Add("}");
        return lines;
    }
}
