using ConfigurableContracts.Core.Privacy;
using ConfigurableContracts.Core.Runs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core.Tests.Hosting;

/// <summary>
/// Both hosts register Core through AddContractsCore, so a setting the server refuses at start-up is refused by the
/// CLI too, with the same words.
/// </summary>
public sealed class ContractsCoreServicesTests
{
    [Fact]
    public void ABadRetentionCron_IsRefusedAtStartUp_QuotingIt()
    {
        using var provider = Build(new() { ["Retention:Cron"] = "every night" });

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(typeof(RetentionOptions), exception.OptionsType);
        Assert.StartsWith("Retention:Cron 'every night' is not a valid Quartz cron expression", Assert.Single(exception.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void ABadSchedulerSetting_IsRefusedWhenFirstRead_WithoutAHostToStart()
    {
        using var provider = Build(new() { ["Scheduler:BatchSize"] = "0" });

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SchedulerOptions>>().Value);

        Assert.Equal("Scheduler:BatchSize '0' must be between 1 and 100000.", Assert.Single(exception.Failures));
    }

    [Fact]
    public void EvaluationsAddedAgain_AsTheServersSchedulingDoes_ReportABadValueOnce()
    {
        var services = Services(new() { ["Scheduler:BatchSize"] = "0" });
        services.AddEvaluations();
        using var provider = services.BuildServiceProvider();

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SchedulerOptions>>().Value);

        Assert.Single(exception.Failures);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings) => Services(settings).BuildServiceProvider();

    private static ServiceCollection Services(Dictionary<string, string?> settings)
    {
        settings["Database:Provider"] = "Sqlite";
        settings["Database:ConnectionString"] = "Data Source=:memory:";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddContractsCore(configuration, AppContext.BaseDirectory);
        return services;
    }
}
