using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Core.Tests.Data;
using ConfigurableContracts.Testing;

namespace ConfigurableContracts.Core.Tests.Runs;

public abstract class EvaluationRunStoreTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    private static readonly DateTimeOffset Now = new(2026, 3, 29, 0, 30, 0, TimeSpan.Zero);

    [StoreFact]
    public async Task TryInsert_RefusesSecondActiveRun_OfTheSameContract()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 0);
        var store = new EvaluationRunStore(connections);

        var first = await store.TryInsertAsync(Run("r-1", "c-1", RunStatus.Queued, Now));
        var second = await store.TryInsertAsync(Run("r-2", "c-1", RunStatus.Queued, Now.AddSeconds(1)));
        var finishedBeside = await store.TryInsertAsync(Run("r-3", "c-1", RunStatus.Failed, Now.AddSeconds(2)));

        Assert.True(first);
        Assert.False(second);
        Assert.True(finishedBeside);
        Assert.Equal("r-1", (await store.ActiveAsync("c-1"))?.Id);
    }

    [StoreFact]
    public async Task TryInsert_RefusesSecondRun_OfTheSameNightlyInstant()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 0);
        var store = new EvaluationRunStore(connections);

        Assert.True(await store.TryInsertAsync(Run("r-1", "c-1", RunStatus.Succeeded, Now) with { Trigger = RunTrigger.Schedule }));
        Assert.False(await store.TryInsertAsync(Run("r-2", "c-1", RunStatus.Failed, Now) with { Trigger = RunTrigger.Schedule }));
    }

    [StoreFact]
    public async Task TryClaim_TakesOverARun_OnlyWhenItsLeaseHasLapsed()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 0);
        var store = new EvaluationRunStore(connections);
        await store.TryInsertAsync(Run("r-1", "c-1", RunStatus.Queued, Now));

        var byA = await store.TryClaimAsync("r-1", "node-a", Now, Now.AddMinutes(2));
        var byBWhileLive = await store.TryClaimAsync("r-1", "node-b", Now.AddMinutes(1), Now.AddMinutes(3));
        var byBAfterLapse = await store.TryClaimAsync("r-1", "node-b", Now.AddMinutes(2).AddSeconds(1), Now.AddMinutes(4));
        var run = await store.GetAsync("r-1");

        Assert.True(byA);
        Assert.False(byBWhileLive);
        Assert.True(byBAfterLapse);
        Assert.Equal("node-b", run!.InstanceId);
        Assert.Equal(2, run.Attempt);
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.Equal(Now, run.StartedAt);
        Assert.Equal(Now.AddMinutes(4), run.LeaseExpiresAt);
    }

    [StoreFact]
    public async Task ReportProgress_IsRefused_WhenAnotherInstanceHoldsTheRun()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 0);
        var store = new EvaluationRunStore(connections);
        await store.TryInsertAsync(Run("r-1", "c-1", RunStatus.Queued, Now));
        await store.TryClaimAsync("r-1", "node-a", Now, Now.AddMinutes(2));

        var byHolder = await store.ReportProgressAsync("r-1", "node-a", new EvaluationProgress(40, 100), Now.AddSeconds(10), Now.AddMinutes(3));
        var byOther = await store.ReportProgressAsync("r-1", "node-b", new EvaluationProgress(90, 100), Now.AddSeconds(11), Now.AddMinutes(3));
        var run = await store.GetAsync("r-1");

        Assert.True(byHolder);
        Assert.False(byOther);
        Assert.Equal(40, run!.ParticipantsDone);
        Assert.Equal(100, run.ParticipantsTotal);
        Assert.Equal(Now.AddSeconds(10), run.ProgressAt);
        Assert.Equal(4.0, run.Rate);
    }

    [StoreFact]
    public async Task Complete_RecordsCounts_AndFreesTheContractForTheNextRun()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 0);
        var store = new EvaluationRunStore(connections);
        await store.TryInsertAsync(Run("r-1", "c-1", RunStatus.Queued, Now));
        await store.TryClaimAsync("r-1", "node-a", Now, Now.AddMinutes(2));

        var completed = await store.CompleteAsync("r-1", "node-a", Now.AddMinutes(1),
            new EvaluationOutcome(7, new Dictionary<string, long> { ["decisionsWritten"] = 12 }), error: null);
        var run = await store.GetAsync("r-1");

        Assert.True(completed);
        Assert.Equal(RunStatus.Succeeded, run!.Status);
        Assert.Equal(Now.AddMinutes(1), run.FinishedAt);
        Assert.Equal(7, run.ParticipantsDone);
        Assert.Equal(12, run.Counts!["decisionsWritten"]);
        Assert.Null(run.LeaseExpiresAt);
        Assert.Null(await store.ActiveAsync("c-1"));
        Assert.True(await store.TryInsertAsync(Run("r-2", "c-1", RunStatus.Queued, Now.AddMinutes(2))));
    }

    [StoreFact]
    public async Task List_FiltersByContractAndStatus_NewestFirst_OnePageAtATime()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 0);
        await ContractSeeder.AddTinyContractAsync(connections, "c-2", participants: 0);
        var store = new EvaluationRunStore(connections);
        for (var i = 0; i < 5; i++)
        {
            await store.TryInsertAsync(Run($"r-{i}", "c-1", RunStatus.Succeeded, Now.AddMinutes(i)));
        }

        await store.TryInsertAsync(Run("r-x", "c-2", RunStatus.Failed, Now.AddMinutes(9)));

        var (page2, total) = await store.ListAsync(new RunQuery("c-1", RunStatus.Succeeded, Page: 2, PageSize: 2));
        var (failed, failedTotal) = await store.ListAsync(new RunQuery(Status: RunStatus.Failed));

        Assert.Equal(5, total);
        Assert.Equal(["r-2", "r-1"], page2.Select(r => r.Id));
        Assert.Equal(1, failedTotal);
        Assert.Equal("r-x", Assert.Single(failed).Id);
    }

    [StoreFact]
    public async Task Unfinished_ListsEveryActiveRun_AlsoOneWhoseLeaseIsStillLive()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 0);
        await ContractSeeder.AddTinyContractAsync(connections, "c-2", participants: 0);
        await ContractSeeder.AddTinyContractAsync(connections, "c-3", participants: 0);
        var store = new EvaluationRunStore(connections);
        await store.TryInsertAsync(Run("r-live", "c-1", RunStatus.Queued, Now));
        await store.TryClaimAsync("r-live", "node-killed", Now, Now.AddMinutes(2));
        await store.TryInsertAsync(Run("r-queued", "c-2", RunStatus.Queued, Now.AddSeconds(1)));
        await store.TryInsertAsync(Run("r-done", "c-3", RunStatus.Succeeded, Now.AddSeconds(2)));

        var unfinished = await store.UnfinishedAsync();

        Assert.Equal(["r-live", "r-queued"], unfinished.Select(r => r.Id));
        Assert.Equal(Now.AddMinutes(2), unfinished[0].LeaseExpiresAt);
    }

    [StoreFact]
    public async Task LastNightly_IgnoresManualRuns()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 0);
        var store = new EvaluationRunStore(connections);
        await store.TryInsertAsync(Run("r-1", "c-1", RunStatus.Succeeded, Now) with { Trigger = RunTrigger.Schedule });
        await store.TryInsertAsync(Run("r-2", "c-1", RunStatus.Succeeded, Now.AddDays(1)) with { Trigger = RunTrigger.CatchUp });
        await store.TryInsertAsync(Run("r-3", "c-1", RunStatus.Succeeded, Now.AddDays(2)));

        Assert.Equal(Now.AddDays(1), await store.LastNightlyAsync("c-1"));
        Assert.Null(await store.LastNightlyAsync("c-none"));
    }

    private static EvaluationRun Run(string id, string contractId, RunStatus status, DateTimeOffset at) => new()
    {
        Id = id,
        ContractId = contractId,
        Trigger = RunTrigger.Manual,
        Status = status,
        ScheduledFor = at,
        CreatedAt = at,
    };
}

public sealed class SqliteEvaluationRunStoreTests : EvaluationRunStoreTests<Sqlite>;

public sealed class PostgreSqlEvaluationRunStoreTests : EvaluationRunStoreTests<PostgreSql>;

public sealed class SqlServerEvaluationRunStoreTests : EvaluationRunStoreTests<SqlServer>;
