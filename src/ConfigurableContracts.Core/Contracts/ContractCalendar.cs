namespace ConfigurableContracts.Core.Contracts;

/// <summary>Dates in the domain are Europe/Stockholm calendar dates, whatever the server's own time zone.</summary>
public static class ContractCalendar
{
    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    /// <summary>The Stockholm date at <paramref name="instant"/>: the <c>asOf</c> of an evaluation or a report.</summary>
    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Stockholm).DateTime);
}
