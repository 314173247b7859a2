using System.Globalization;
using System.Text.Json;

namespace ConfigurableContracts.Benchmarks;

/// <summary>
/// The outcome workflow's inputs as plain C# classes, the way a RulesEngine user with typed data passes them and
/// the way hand-written C# reads them. Property names match the workflow's members (RulesEngine binds them
/// case-insensitively by default); money and scores are decimal, as in our engine.
/// </summary>
internal sealed class OutcomeContract
{
    public decimal ActivityPayment { get; init; }
    public decimal OutcomePayment { get; init; }
    public decimal Threshold { get; init; }
}

internal sealed class OutcomeParticipant
{
    public required string Id { get; init; }
    public long Age { get; init; }
    public bool Priority { get; init; }
    public DateTime EnrolledOn { get; init; }
    public string? ExitReason { get; init; }
    public required List<OutcomeSession> Sessions { get; init; }
}

internal sealed class OutcomeSession
{
    public required string Kind { get; init; }
    public long Minutes { get; init; }
}

internal sealed class OutcomeMeasurement
{
    public DateTime MeasuredOn { get; init; }
    public decimal Score { get; init; }
}

/// <summary>One participant's inputs as typed objects; a follow-up not yet recorded is null.</summary>
internal sealed record OutcomePocoInputs(
    OutcomeContract Contract,
    OutcomeParticipant Participant,
    OutcomeMeasurement? Baseline,
    OutcomeMeasurement? FollowUp3,
    OutcomeMeasurement? FollowUp6,
    DateTime AsOf)
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    /// <summary>Converted once, outside the measured code, from the same generated documents as every other row.</summary>
    public static OutcomePocoInputs FromJson(Dictionary<string, JsonElement> json)
    {
        OutcomeMeasurement? Measurement(string name) =>
            json.TryGetValue(name, out var element) ? element.Deserialize<OutcomeMeasurement>(Options) : null;
        return new OutcomePocoInputs(
            json["contract"].Deserialize<OutcomeContract>(Options)!,
            json["participant"].Deserialize<OutcomeParticipant>(Options)!,
            Measurement("baseline"),
            Measurement("followUp3"),
            Measurement("followUp6"),
            DateTime.ParseExact(json["asOf"].GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture));
    }
}
