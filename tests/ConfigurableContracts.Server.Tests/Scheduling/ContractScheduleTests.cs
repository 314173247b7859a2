using System.Net;
using ConfigurableContracts.Server.Scheduling;
using ConfigurableContracts.Server.Tests.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace ConfigurableContracts.Server.Tests.Scheduling;

public sealed class ContractScheduleTests(ServerFactory factory) : IClassFixture<ServerFactory>
{
    [Fact]
    public async Task NightlyTrigger_FollowsTheContract_WhenActivatedAndClosed()
    {
        await using var scenario = await ContractScenario.CreateAsync(factory);
        var draft = await scenario.ContractAsync(activate: false);
        var id = draft.GetProperty("id").GetString()!;
        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

        var whileDraft = await scheduler.GetTrigger(ContractSchedule.NightlyTriggerFor(id));
        using var activated = await scenario.Commissioner.Client.PostAsync($"/api/contracts/{id}/activate", null);
        var whileActive = await scheduler.GetTrigger(ContractSchedule.NightlyTriggerFor(id)) as ICronTrigger;
        using var closed = await scenario.Commissioner.Client.PostAsync($"/api/contracts/{id}/close", null);
        var afterClose = await scheduler.GetTrigger(ContractSchedule.NightlyTriggerFor(id));

        Assert.Null(whileDraft);
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        Assert.Equal("0 0 2 * * ?", whileActive?.CronExpressionString);
        Assert.Equal("Europe/Stockholm", whileActive?.TimeZone.Id);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.Null(afterClose);
        Assert.False(await scheduler.Exists(ContractSchedule.JobFor(id)));
    }
}
