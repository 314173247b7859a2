using System.Globalization;
using System.Text.Json;

namespace ConfigurableContracts.Core.Privacy;

/// <summary>
/// What stands in place of a removed result tree or input snapshot: <c>{"removedUnderRetention":"YYYY-MM-DD"}</c>.
/// The columns are NOT NULL and referenced by hash, so the rows stay and say plainly that their content is gone.
/// </summary>
public static class RetentionMarker
{
    private const string Property = "removedUnderRetention";

    public static string Json(DateOnly removedOn) =>
        $"{{\"{Property}\":\"{removedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}\"}}";

    /// <summary>The removal date when <paramref name="json"/> is a marker; null for any other document.</summary>
    public static DateOnly? RemovedOn(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (!json.StartsWith($"{{\"{Property}\"", StringComparison.Ordinal))
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return DateOnly.ParseExact(document.RootElement.GetProperty(Property).GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
    }
}

/// <summary>A decision's input snapshot and result tree were removed under retention, so it cannot be replayed.</summary>
public sealed class DecisionDataRemovedException : Exception
{
    public DecisionDataRemovedException()
    {
    }

    public DecisionDataRemovedException(string message)
        : base(message)
    {
    }

    public DecisionDataRemovedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DecisionDataRemovedException(string decisionId, DateOnly removedOn)
        : base($"The input snapshot and result tree of decision '{decisionId}' were removed under retention on {removedOn:yyyy-MM-dd}; it can no longer be replayed.")
    {
        DecisionId = decisionId;
        RemovedOn = removedOn;
    }

    public string? DecisionId { get; }

    public DateOnly? RemovedOn { get; }
}
