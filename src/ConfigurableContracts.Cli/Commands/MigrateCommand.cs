using System.CommandLine;
using ConfigurableContracts.Cli.Hosting;
using ConfigurableContracts.Core.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Cli.Commands;

/// <summary><c>contracts migrate</c>: applies pending migration scripts to the configured database.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var settings = CommonOptions.Settings();
        var command = new Command("migrate", "Apply pending database migrations to the configured database.") { settings };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var services = CliServices.Build(parseResult.GetValue(settings));
            var provider = services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider;
            var runner = services.GetRequiredService<MigrationRunner>();
            var applied = await runner.MigrateAsync(cancellationToken).ConfigureAwait(false);
            var versions = await runner.AppliedAsync(cancellationToken).ConfigureAwait(false);
            await parseResult.InvocationConfiguration.Output.WriteLineAsync(
                $"{provider}: applied {applied} migration(s); schema version {(versions.Count == 0 ? 0 : versions[^1])}.").ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
