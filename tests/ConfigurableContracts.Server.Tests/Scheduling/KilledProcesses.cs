namespace ConfigurableContracts.Server.Tests.Scheduling;

/// <summary>
/// Tests that kill server processes at chosen moments run alone, after every other test: a kill is timed by
/// watching the database from this process, and a CPU-heavy test beside them (the body fuzz) can starve that
/// watcher long enough for a run to finish before its kill.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KilledProcesses
{
    public const string Name = "Killed server processes";
}
