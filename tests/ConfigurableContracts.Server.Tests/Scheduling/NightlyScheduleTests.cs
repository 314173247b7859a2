using ConfigurableContracts.Server.Scheduling;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace ConfigurableContracts.Server.Tests.Scheduling;

public sealed class NightlyScheduleTests
{
    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");
    private static readonly Quartz.CronExpression Nightly = NightlySchedule.Parse("0 0 2 * * ?", Stockholm);

    [Fact]
    public void NightlyTrigger_Fires0200Stockholm_InWinterAndSummer()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero));

        var winter = FireTimeAfter(time.GetUtcNow());
        time.SetUtcNow(new DateTimeOffset(2026, 7, 15, 12, 0, 0, TimeSpan.Zero));
        var summer = FireTimeAfter(time.GetUtcNow());

        Assert.Equal(new DateTimeOffset(2026, 1, 16, 1, 0, 0, TimeSpan.Zero), winter);
        Assert.Equal(new DateTimeOffset(2026, 7, 16, 0, 0, 0, TimeSpan.Zero), summer);
    }

    [Fact]
    public void NightlyTrigger_FiresOnceAt0300Summer_OnTheSpringForwardNight()
    {
        // 2026-03-29: clocks go from 02:00 CET straight to 03:00 CEST, so 02:00 local never happens. The run is
        // not lost: it fires at the first instant after the gap, 03:00 CEST = 01:00 UTC, and only once.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero));

        var first = FireTimeAfter(time.GetUtcNow());
        var second = FireTimeAfter(first!.Value);

        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), first);
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 0, 0, 0, TimeSpan.Zero), second);
    }

    [Fact]
    public void NightlyTrigger_FiresOnce_OnTheFallBackNight()
    {
        // 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:00 local happens... once, before the change (00:00 UTC
        // is 02:00 CEST); the repeated hour is 02:00-03:00 CET, i.e. 01:00-02:00 UTC. Quartz fires the first.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 10, 24, 12, 0, 0, TimeSpan.Zero));

        var first = FireTimeAfter(time.GetUtcNow());
        var second = FireTimeAfter(first!.Value);

        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 0, 0, TimeSpan.Zero), first);
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 1, 0, 0, TimeSpan.Zero), second);
    }

    /// <summary>
    /// When a nightly trigger built as <see cref="ContractSchedule"/> builds it (a cron schedule of the parsed
    /// expression in its time zone) fires next after <paramref name="after"/>: Quartz's own answer, the one it acts on.
    /// </summary>
    private static DateTimeOffset? FireTimeAfter(DateTimeOffset after) =>
        TriggerBuilder.Create()
            .WithSchedule(CronScheduleBuilder.Create(Nightly.CronExpressionString).InTimeZone(Nightly.TimeZone))
            .StartAt(after.AddDays(-1))
            .Build()
            .GetFireTimeAfter(after);

    [Fact]
    public void MissedFireTime_IsLastNight_WhenTheServerWasDownAt0200()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 16, 7, 30, 0, TimeSpan.Zero));
        var lastRun = new DateTimeOffset(2026, 1, 15, 1, 0, 0, TimeSpan.Zero);

        var missed = NightlySchedule.MissedFireTime(Nightly, time.GetUtcNow(), activeSince: new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), lastRun);

        Assert.Equal(new DateTimeOffset(2026, 1, 16, 1, 0, 0, TimeSpan.Zero), missed);
    }

    [Fact]
    public void MissedFireTime_IsNull_WhenLastNightAlreadyRan()
    {
        var now = new DateTimeOffset(2026, 1, 16, 7, 30, 0, TimeSpan.Zero);

        var missed = NightlySchedule.MissedFireTime(Nightly, now, activeSince: null, lastNightlyRun: new DateTimeOffset(2026, 1, 16, 1, 0, 0, TimeSpan.Zero));

        Assert.Null(missed);
    }

    [Fact]
    public void MissedFireTime_IsNull_WhenTheContractWasActivatedAfterLastNight()
    {
        var now = new DateTimeOffset(2026, 1, 16, 9, 0, 0, TimeSpan.Zero);

        var missed = NightlySchedule.MissedFireTime(Nightly, now, activeSince: new DateTimeOffset(2026, 1, 16, 8, 0, 0, TimeSpan.Zero), lastNightlyRun: null);

        Assert.Null(missed);
    }

    [Fact]
    public void MissedFireTime_IsOnlyTheLatestNight_AfterDaysOfDowntime()
    {
        var now = new DateTimeOffset(2026, 1, 20, 9, 0, 0, TimeSpan.Zero);

        var missed = NightlySchedule.MissedFireTime(Nightly, now, activeSince: null, lastNightlyRun: new DateTimeOffset(2026, 1, 15, 1, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 1, 20, 1, 0, 0, TimeSpan.Zero), missed);
    }

    [Fact]
    public void MissedFireTime_IsTheSpringForwardRun_WhenDownThatNight()
    {
        var now = new DateTimeOffset(2026, 3, 29, 6, 0, 0, TimeSpan.Zero);

        var missed = NightlySchedule.MissedFireTime(Nightly, now, activeSince: null, lastNightlyRun: new DateTimeOffset(2026, 3, 28, 1, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), missed);
    }
}
