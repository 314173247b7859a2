using System.CommandLine;
using ConfigurableContracts.Cli.Commands;

namespace ConfigurableContracts.Cli.Tests.Commands;

public sealed class ReplayCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("replay-command-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Replay_ExitsTwo_AndSaysSo_WhenTheDecisionIsUnknown()
    {
        var database = Path.Combine(_directory.FullName, "contracts.db");
        var settings = Path.Combine(_directory.FullName, "appsettings.json");
        File.WriteAllText(settings, $$"""{ "Database": { "Provider": "Sqlite", "ConnectionString": "Data Source={{database}};Pooling=false" } }""");
        var root = new RootCommand { MigrateCommand.Create(), ReplayCommand.Create() };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = error };

        Assert.Equal(0, root.Parse(["migrate", "--settings", settings]).Invoke(configuration));
        var exitCode = root.Parse(["replay", "--decision", "no-such-id", "--settings", settings]).Invoke(configuration);

        Assert.Equal(2, exitCode);
        Assert.Contains("no decision 'no-such-id'", error.ToString(), StringComparison.Ordinal);
    }
}
