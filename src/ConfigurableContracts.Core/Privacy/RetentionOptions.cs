namespace ConfigurableContracts.Core.Privacy;

/// <summary>
/// How long participant data is kept after a contract closes, and when the removal job runs. Bound from the
/// <c>Retention</c> section and checked by <see cref="RetentionOptionsValidator"/> in both hosts.
/// </summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>Whether the removal job is scheduled at all. Off only where another process carries out the removal.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Whole years after the contract's close date (a Stockholm calendar date) during which its participant data is
    /// kept. On the anniversary of the close date the data becomes due for removal.
    /// </summary>
    public int PeriodYears { get; set; } = 5;

    /// <summary>Quartz cron (seconds first) of the removal job, read in <c>Scheduler:TimeZone</c>; nightly at 03:30 by default.</summary>
    public string Cron { get; set; } = "0 30 3 * * ?";

    /// <summary>
    /// Why <see cref="PeriodYears"/> cannot be used, or null. The validator checks it in the server at start-up and in
    /// the CLI before it removes anything: a period of 0 would remove every closed contract's data at once.
    /// </summary>
    public string? PeriodProblem() =>
        PeriodYears is < 1 or > 100 ? $"Retention:PeriodYears '{PeriodYears}' must be a whole number of years from 1 to 100." : null;

    /// <summary>The first Stockholm date on which a contract closed on <paramref name="closedOn"/> is due for removal.</summary>
    public DateOnly RemovableFrom(DateOnly closedOn) => closedOn.AddYears(PeriodYears);
}
