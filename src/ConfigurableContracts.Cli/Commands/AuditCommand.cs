using System.CommandLine;
using ConfigurableContracts.Cli.Hosting;
using ConfigurableContracts.Core.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigurableContracts.Cli.Commands;

/// <summary><c>contracts audit verify</c>: checks the audit log's hash chain and names the first broken entry.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var settings = CommonOptions.Settings();
        var verify = new Command("verify", "Recompute the audit log's hash chain; exit 1 and name the first broken entry if it was tampered with.") { settings };
        verify.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var services = CliServices.Build(parseResult.GetValue(settings));
            var result = await services.GetRequiredService<AuditLog>().VerifyAsync(cancellationToken).ConfigureAwait(false);
            var output = parseResult.InvocationConfiguration.Output;
            if (result.IsIntact)
            {
                await output.WriteLineAsync($"intact: {result.EntriesChecked} entries verified").ConfigureAwait(false);
                return 0;
            }

            await output.WriteLineAsync($"broken: entry {result.FirstBrokenSequence}: {result.Reason}").ConfigureAwait(false);
            return 1;
        });
        return new Command("audit", "Work with the tamper-evident audit log.") { verify };
    }
}
