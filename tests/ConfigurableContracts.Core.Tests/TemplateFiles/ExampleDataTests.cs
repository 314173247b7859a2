using System.Globalization;
using System.Text.Json;

namespace ConfigurableContracts.Core.Tests.TemplateFiles;

/// <summary>
/// Checks what the schemas cannot: that the demo data hangs together. A measurement outside its point's window or a
/// participant of an unknown provider would make the README walkthrough show surprising NotEvaluable results.
/// </summary>
public sealed class ExampleDataTests
{
    /// <summary>Templates with an examples folder holding contract, participants and measurements.</summary>
    public static TheoryData<string> TemplatesWithExamples() => new(
        RepositoryLayout.FilesUnder("schemas", "participants.jsonl")
            .Where(path => path.EndsWith("/examples/participants.jsonl", StringComparison.Ordinal))
            .Select(path => path.Split('/')[1]));

    [Theory]
    [MemberData(nameof(TemplatesWithExamples))]
    public void ExampleParticipants_ReferenceContractProviders_AndHaveUniquePseudonyms(string templateId)
    {
        var examples = ExampleSet.Load(templateId);
        var providerIds = examples.Contract.GetProperty("providers").EnumerateArray()
            .Select(p => p.GetProperty("id").GetString()).ToHashSet(StringComparer.Ordinal);

        var unknownProviders = examples.Participants
            .Where(p => !providerIds.Contains(p.GetProperty("providerId").GetString()))
            .Select(p => p.GetProperty("pseudonym").GetString());
        var duplicates = examples.Participants
            .GroupBy(p => p.GetProperty("pseudonym").GetString(), StringComparer.Ordinal)
            .Where(g => g.Count() > 1).Select(g => g.Key);

        Assert.Empty(unknownProviders);
        Assert.Empty(duplicates);
    }

    [Theory]
    [MemberData(nameof(TemplatesWithExamples))]
    public void ExampleMeasurements_LieInTheirPointsWindow_BeforeTheParticipantsExit(string templateId)
    {
        var examples = ExampleSet.Load(templateId);
        var manifest = TemplateManifestFile.Load(templateId);
        var windows = manifest.MeasurementPoints.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var participants = examples.Participants.ToDictionary(p => p.GetProperty("pseudonym").GetString()!, StringComparer.Ordinal);
        var problems = new List<string>();

        foreach (var measurement in examples.Measurements)
        {
            var pseudonym = measurement.GetProperty("pseudonym").GetString()!;
            var point = measurement.GetProperty("point").GetString()!;
            var measured = ReadDate(measurement, "date");
            if (!participants.TryGetValue(pseudonym, out var participant))
            {
                problems.Add($"{pseudonym} {point}: no such participant");
                continue;
            }

            var enrolment = ReadDate(participant, "enrolmentDate");
            if (!windows[point].Contains(enrolment, measured))
            {
                problems.Add($"{pseudonym} {point}: {measured:yyyy-MM-dd} is outside the window for enrolment {enrolment:yyyy-MM-dd}");
            }

            if (participant.TryGetProperty("exitDate", out _) && measured > ReadDate(participant, "exitDate"))
            {
                problems.Add($"{pseudonym} {point}: measured after the exit date");
            }
        }

        var repeated = examples.Measurements
            .GroupBy(m => (m.GetProperty("pseudonym").GetString(), m.GetProperty("point").GetString()))
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key.Item1} {g.Key.Item2}: measured {g.Count()} times");

        Assert.Empty(problems.Concat(repeated));
    }

    [Theory]
    [MemberData(nameof(TemplatesWithExamples))]
    public void ExampleParticipants_AllHaveABaseline_WhenEnrolled(string templateId)
    {
        var examples = ExampleSet.Load(templateId);
        var withBaseline = examples.Measurements
            .Where(m => m.GetProperty("point").GetString() == "baseline")
            .Select(m => m.GetProperty("pseudonym").GetString())
            .ToHashSet(StringComparer.Ordinal);

        var missing = examples.Participants
            .Select(p => p.GetProperty("pseudonym").GetString())
            .Where(pseudonym => !withBaseline.Contains(pseudonym));

        Assert.Empty(missing);
    }

    private static DateOnly ReadDate(JsonElement element, string property) =>
        DateOnly.ParseExact(element.GetProperty(property).GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed record ExampleSet(JsonElement Contract, IReadOnlyList<JsonElement> Participants, IReadOnlyList<JsonElement> Measurements)
    {
        public static ExampleSet Load(string templateId)
        {
            var folder = $"schemas/{templateId}/examples";
            return new ExampleSet(
                Parse(File.ReadAllText(RepositoryLayout.Full($"{folder}/contract.json"))),
                ReadLines($"{folder}/participants.jsonl"),
                ReadLines($"{folder}/measurements.jsonl"));
        }

        private static List<JsonElement> ReadLines(string path) =>
            File.ReadAllLines(RepositoryLayout.Full(path))
                .Where(line => line.Length > 0)
                .Select(Parse)
                .ToList();

        private static JsonElement Parse(string json)
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
    }
}
