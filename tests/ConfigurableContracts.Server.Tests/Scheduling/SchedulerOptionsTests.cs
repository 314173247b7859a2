using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Tests.Scheduling;

public sealed class SchedulerOptionsTests
{
    [Fact]
    public void Startup_Fails_QuotingEveryBadValue_WhenCronTimeZoneRetriesAndBatchSizeAreWrong()
    {
        using var factory = ServerFactory.WithSettings(new Dictionary<string, string?>
        {
            ["Scheduler:NightlyCron"] = "0 0 25 * * ?",
            ["Scheduler:TimeZone"] = "Mars/Olympus_Mons",
            ["Scheduler:MaxRetries"] = "-1",
            ["Scheduler:BatchSize"] = "0",
        });

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("Scheduler:NightlyCron '0 0 25 * * ?'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Scheduler:TimeZone 'Mars/Olympus_Mons'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Scheduler:MaxRetries '-1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Scheduler:BatchSize '0'", error.Message, StringComparison.Ordinal);
    }
}
