using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Core.Templates.Schemas;
using ConfigurableContracts.Core.Tests.TemplateFiles;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;
using NetSchema = Json.Schema;

namespace ConfigurableContracts.Core.Tests.Schemas;

/// <summary>
/// The guard against a second draft-07 validator, JsonSchema.Net 8.0.5, on generated documents: the shipped templates'
/// schemas and every draft-07 suite schema the guard loads, each fed seed documents with random mutations
/// (<see cref="DocumentMutations"/>). Both must give the same verdict. A disagreement is a guard bug, unless it is one
/// of JsonSchema.Net's own known errors, named and matched exactly below.
/// </summary>
public sealed class GuardDifferentialTests(ITestOutputHelper output)
{
    /// <summary>Generated documents per run of each test: enough to reach the corners, within seconds on CI.</summary>
    private const int CasesPerRun = 10_000;

    /// <summary>The suite files the comparison figures in docs/schema-guard.md are counted over: 1 041 cases.</summary>
    private static readonly string[] SuiteFiles = ["*.json", "optional/format/date.json", "optional/format/date-time.json"];

    [Fact]
    public void Guard_AgreesWithJsonSchemaNet_OnGeneratedDocuments_OfTheShippedTemplates()
    {
        var loader = new TemplateLoader(RepositoryLayout.Root, new TemplateOptions());
        var targets = new List<Target>();
        foreach (var folder in loader.TemplateFolders())
        {
            var manifest = loader.Load(folder).Version!.Declared;
            var examples = TemplateExampleDocuments.Read(folder, manifest).ToList();
            foreach (var (key, file) in manifest.Schemas!)
            {
                var path = Path.Combine(folder, file);
                var target = Target.Create($"{Path.GetFileName(folder)}/{file}", folder, path, File.ReadAllText(path),
                    examples.Where(e => e.Key == key).Select(e => e.Json));
                Assert.True(target is not null, $"the guard refuses {path}");
                targets.Add(target);
            }
        }

        Run(targets);
    }

    [ConformanceSuiteFact]
    public void Guard_AgreesWithJsonSchemaNet_OnGeneratedDocuments_OfTheDraftSevenSuiteSchemas()
    {
        var suite = SuiteLocator.FindDraftSeven();
        var folder = Path.Combine(Path.GetTempPath(), "cct-differential-suite");
        var targets = new List<Target>();
        foreach (var file in SuiteFiles.SelectMany(pattern => Directory.GetFiles(Path.Combine(suite, Path.GetDirectoryName(pattern)!), Path.GetFileName(pattern)))
            .Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var (group, i) in document.RootElement.EnumerateArray().Select((g, i) => (g, i)))
            {
                var name = $"{Path.GetRelativePath(suite, file)}#{i} {group.GetProperty("description").GetString()}";
                var seeds = group.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("data").GetRawText());
                if (Target.Create(name, folder, Path.Combine(folder, "case.schema.json"), group.GetProperty("schema").GetRawText(), seeds) is { } target)
                    targets.Add(target);
            }
        }

        Run(targets);
    }

    private void Run(List<Target> targets)
    {
        var loaded = targets.Where(t => t.Guarded is not null).ToList();
        Assert.NotEmpty(loaded);
        // A few documents more than the target: those JsonSchema.Net cannot evaluate are not compared.
        var perTarget = (CasesPerRun * 11 / 10 + loaded.Count - 1) / loaded.Count;
        var tally = new Tally();
        // A fixed seed keeps CI repeatable; GUARD_DIFFERENTIAL_SEED=random (or a number) explores further locally.
        var seedSetting = Environment.GetEnvironmentVariable("GUARD_DIFFERENTIAL_SEED");
        var seed = seedSetting switch
        {
            null or "" => 20261207UL,
            "random" => (ulong)Random.Shared.NextInt64(long.MaxValue),
            _ => ulong.Parse(seedSetting, CultureInfo.InvariantCulture),
        };
        output.WriteLine($"Seed {seed}; replay with GUARD_DIFFERENTIAL_SEED={seed}.");
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < loaded.Count; i++)
        {
            var target = loaded[i];
            var replay = new Replay(new Rnd(seed * 1_000_003 + (ulong)i, 0x9E3779B97F4A7C15), null);
            Prop.ForAll(target.Mutations.Documents().ToArbitrary(), document => Agree(target, document, tally))
                .Check(Config.QuickThrowOnFailure.WithMaxTest(perTarget).WithReplay(replay).WithQuietOnSuccess(true));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{tally.Cases} generated documents compared over {loaded.Count} schemas in {clock.Elapsed.TotalSeconds:F1} s: {tally.Valid} valid, {tally.Cases - tally.Valid} invalid by both; " +
            $"{tally.NotEvaluable} not compared (a number JsonSchema.Net cannot read); " +
            $"excused as JsonSchema.Net's known errors: {string.Join(", ", tally.Excused.Select(e => $"{e.Key} x{e.Value}"))}"));
        Assert.True(tally.Cases >= CasesPerRun, $"only {tally.Cases} documents were checked");
        // Mutations must reach both verdicts often, or the comparison says little.
        Assert.True(tally.Valid > tally.Cases / 20 && tally.Valid < tally.Cases * 19 / 20, $"{tally.Valid} of {tally.Cases} documents were valid");
    }

    private static bool Agree(Target target, string document, Tally tally)
    {
        using var parsed = JsonDocument.Parse(document);
        var errors = target.Guarded!.Validate(parsed.RootElement);
        var guardValid = errors.Count == 0;
        bool netValid;
        try
        {
            netValid = NetValid(target, parsed.RootElement);
        }
        catch (FormatException) when (HasNumberBeyondDecimal(parsed.RootElement))
        {
            // JsonSchema.Net reads numbers as decimals in some keywords (uniqueItems, const, enum, ...) and throws on
            // one beyond ±7.9e28: it gives no verdict to compare, so the document is counted apart, not compared.
            tally.NotEvaluable++;
            return true;
        }

        tally.Cases++;
        if (guardValid && netValid)
            tally.Valid++;
        if (guardValid == netValid)
            return true;

        var excuse = ReadAsJsonSchemaNetReadsNumbers(target, parsed.RootElement, netValid)
            ?? (guardValid ? YearZeroRefused(target, parsed.RootElement) : KnownJsonSchemaNetError(parsed.RootElement, errors));
        if (excuse is not null)
        {
            tally.Excused[excuse] = tally.Excused.GetValueOrDefault(excuse) + 1;
            return true;
        }

        throw new InvalidOperationException(
            $"{target.Name}: the guard says {(guardValid ? "valid" : "invalid")}, JsonSchema.Net {(netValid ? "valid" : "invalid")}, for {document}" +
            (guardValid ? "" : $"; the guard's errors: {string.Join("; ", errors)}"));
    }

    /// <summary>
    /// Documents JsonSchema.Net 8.0.5 wrongly accepts, where every error the guard reports is of one of these kinds.
    /// Its one wrong verdict of the 1 041 draft-07 cases is the first: optional/format/date-time.json, "a trailing
    /// newline is invalid" ("1985-04-12T23:20:50Z\n" passes). The second is the same slip in its regular expressions
    /// (.NET's <c>$</c> also matches before a final newline; ECMA-262's, which draft-07 prescribes, does not), which the
    /// suite tests in optional/ecmascript-regex.json and mutated documents meet in every pattern ending in <c>$</c>:
    /// both are matched at a string ending in "\n" that is valid without it.
    /// </summary>
    private static string? KnownJsonSchemaNetError(JsonElement document, IReadOnlyList<DocumentError> errors)
    {
        string? kind = null;
        foreach (var error in errors)
        {
            if (At(document, error.Path) is not { ValueKind: JsonValueKind.String } value || value.GetString() is not { } text
                || !text.EndsWith('\n'))
            {
                return null;
            }

            var withoutNewline = text[..^1];
            string? thisKind = error.Message.StartsWith("is not a valid date-time", StringComparison.Ordinal) && DraftFormats.IsDateTime(withoutNewline)
                ? "date-time with a trailing newline (draft-07 suite: optional/format/date-time.json)"
                : error.Message.StartsWith("does not match the pattern ", StringComparison.Ordinal)
                    && EcmaPattern.Compile(error.Message["does not match the pattern ".Length..], TimeSpan.FromSeconds(1)).IsMatch(withoutNewline)
                    ? "pattern's $ before a trailing newline (draft-07 suite: optional/ecmascript-regex.json)"
                    : null;
            if (thisKind is null || (kind is not null && kind != thisKind))
                return null;
            kind = thisKind;
        }

        return kind;
    }

    private static bool NetValid(Target target, JsonElement document) => target.Net.Evaluate(document, new NetSchema.EvaluationOptions
    {
        OutputFormat = NetSchema.OutputFormat.Flag,
        // Draft-07 makes formats annotations; the guard asserts the two it admits, so JsonSchema.Net must too.
        RequireFormatValidation = true,
    }).IsValid;

    /// <summary>
    /// JsonSchema.Net 8.0.5 refuses dates and date-times in the year 0000, which RFC 3339 allows (<c>date-fullyear =
    /// 4DIGIT</c>): it parses them with .NET's DateTime, whose years start at 1. The draft-07 suite has no such case.
    /// Matched exactly: the document holds a string starting "0000-", and JsonSchema.Net accepts it once those strings
    /// are moved to the year 2000 (a leap year too, so 0000-02-29 stays a real day).
    /// </summary>
    private static string? YearZeroRefused(Target target, JsonElement document)
    {
        var text = document.GetRawText();
        if (!text.Contains("\"0000-", StringComparison.Ordinal))
            return null;
        using var moved = JsonDocument.Parse(text.Replace("\"0000-", "\"2000-", StringComparison.Ordinal));
        return NetValid(target, moved.RootElement) ? "date in the year 0000 (RFC 3339 allows it)" : null;
    }

    /// <summary>
    /// Two ways JsonSchema.Net 8.0.5 reads a number other than as written. It holds numbers as .NET decimals, which
    /// round past 28 decimal places: to it 1e-30 is 0 (so it matches <c>"const": 0</c>). And it decides <c>integer</c>
    /// through a double, so 9007199254740993.01 is an integer to it (and <c>"not": {"type": "integer"}</c> refuses it).
    /// The suite's 1 041 cases have neither. Matched exactly: the document holds such a number, and the guard, given the
    /// document with each such number as JsonSchema.Net reads it, gives JsonSchema.Net's verdict.
    /// </summary>
    private static string? ReadAsJsonSchemaNetReadsNumbers(Target target, JsonElement document, bool netValid)
    {
        foreach (var (kind, reading) in NumberReadings)
        {
            var changed = false;
            var read = Reread(document, reading, ref changed);
            if (changed && (target.Guarded!.Validate(read).Count == 0) == netValid)
                return kind;
        }

        return null;
    }

    private static readonly (string Kind, Func<JsonElement, string?> Reading)[] NumberReadings =
    [
        ("number rounded to a decimal (28 places)", number =>
            !ExactNumber.TryGetDecimal(number, out _) && number.TryGetDecimal(out var value) ? value.ToString(CultureInfo.InvariantCulture) : null),
        ("integer decided through a double (past 2^53 a fraction is lost)", number =>
            !ExactNumber.IsInteger(number) && double.Parse(number.GetRawText(), CultureInfo.InvariantCulture) is var approximate
                && double.IsFinite(approximate) && Math.Floor(approximate) == approximate
                ? approximate.ToString("R", CultureInfo.InvariantCulture) is var text && text.Contains('E', StringComparison.Ordinal) ? null : text
                : null),
    ];

    /// <summary>The document as JSON text, each number <paramref name="reading"/> rewrites replaced by its rewriting.</summary>
    private static string Reread(JsonElement element, Func<JsonElement, string?> reading, ref bool changed)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number when reading(element) is { } replacement:
                changed = true;
                return replacement;
            case JsonValueKind.Array:
                var items = new List<string>();
                foreach (var item in element.EnumerateArray())
                    items.Add(Reread(item, reading, ref changed));
                return "[" + string.Join(",", items) + "]";
            case JsonValueKind.Object:
                var members = new List<string>();
                foreach (var property in element.EnumerateObject())
                    members.Add(JsonSerializer.Serialize(property.Name) + ":" + Reread(property.Value, reading, ref changed));
                return "{" + string.Join(",", members) + "}";
            default:
                return element.GetRawText();
        }
    }

    private static bool HasNumberBeyondDecimal(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => !element.TryGetDecimal(out _),
        JsonValueKind.Array => element.EnumerateArray().Any(HasNumberBeyondDecimal),
        JsonValueKind.Object => element.EnumerateObject().Any(p => HasNumberBeyondDecimal(p.Value)),
        _ => false,
    };

    private static JsonElement? At(JsonElement document, string path)
    {
        var current = document;
        foreach (var segment in InstancePath.Parse(path))
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var child))
                current = child;
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, CultureInfo.InvariantCulture, out var index) && index < current.GetArrayLength())
                current = current[index];
            else
                return null;
        }

        return current;
    }

    private sealed class Tally
    {
        public int Cases { get; set; }

        public int Valid { get; set; }

        public int NotEvaluable { get; set; }

        public SortedDictionary<string, int> Excused { get; } = new(StringComparer.Ordinal);
    }

    private sealed record Target(string Name, GuardedSchema? Guarded, NetSchema.JsonSchema Net, DocumentMutations Mutations)
    {
        /// <summary>The schema as both validators load it; null when JsonSchema.Net cannot (then it is no comparison).</summary>
        public static Target? Create(string name, string folder, string path, string schemaText, IEnumerable<string> seeds)
        {
            // Timeouts guard against catastrophic backtracking, not what is compared here; on a busy CI machine a simple
            // pattern can miss the default 100 ms and turn a verdict into "could not be checked in time".
            var options = new SchemaGuardOptions { RegexTimeout = TimeSpan.FromSeconds(10), PatternBudgetPerDocument = TimeSpan.FromSeconds(60) };
            var guarded = new SchemaGuard(options).LoadTextAsync(folder, path, schemaText).GetAwaiter().GetResult().Schema;
            if (guarded is null)
                return null; // refused at load: nothing is validated against it, so there is no verdict to compare
            var build = new NetSchema.BuildOptions { Dialect = NetSchema.Dialect.Draft07, SchemaRegistry = new NetSchema.SchemaRegistry() };
            var net = NetSchema.JsonSchema.FromText(schemaText, build, new Uri(new Uri(path).AbsoluteUri));
            using var schema = JsonDocument.Parse(schemaText);
            return new Target(name, guarded, net, new DocumentMutations(seeds, schema.RootElement));
        }
    }
}
