using Quartz;

namespace ConfigurableContracts.Server.Scheduling;

/// <summary>
/// The calendar arithmetic of nightly runs, kept free of the scheduler so it can be tested against exact
/// instants: which cron a contract runs on and which run was missed while no server was up.
/// </summary>
public static class NightlySchedule
{
    /// <summary>The cron expression read in <paramref name="zone"/>; throws <see cref="FormatException"/> when it does not parse.</summary>
    public static CronExpression Parse(string cron, TimeZoneInfo zone) =>
        CronExpression.TryParse(cron, out var expression) ? expression.WithTimeZone(zone) : throw new FormatException($"'{cron}' is not a valid Quartz cron expression.");

    /// <summary>The latest fire time at or before <paramref name="now"/>, or null when there was none.</summary>
    public static DateTimeOffset? LastAtOrBefore(CronExpression cron, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(cron);
        // Quartz's cron arithmetic is second-resolution and "before" is strict, so ask from just after now.
        return cron.GetPreviousValidTimeBefore(now.AddSeconds(1));
    }

    /// <summary>
    /// The nightly fire time to catch up at start-up, or null when none is due: the latest fire time before
    /// <paramref name="now"/> is missed when the contract was already active then and no nightly run (scheduled
    /// or caught up, in any state) stands for it or a later instant.
    /// </summary>
    public static DateTimeOffset? MissedFireTime(CronExpression cron, DateTimeOffset now, DateTimeOffset? activeSince, DateTimeOffset? lastNightlyRun)
    {
        var last = LastAtOrBefore(cron, now);
        if (last is not { } fireTime)
        {
            return null;
        }

        if (activeSince is { } since && since > fireTime)
        {
            return null;
        }

        return lastNightlyRun is { } ran && ran >= fireTime ? null : fireTime;
    }
}
