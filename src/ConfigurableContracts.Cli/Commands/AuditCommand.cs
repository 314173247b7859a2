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
        var anchorOption = new Option<string?>("--anchor")
        {
            Description = "SEQUENCE:HASH of an entry recorded earlier (as printed by a previous verify): the entry must still be there with that hash, which shows the newest entries were not removed.",
        };
        var verify = new Command("verify", "Recompute the audit log's hash chain; exit 1 and name the first broken entry if it was tampered with.") { settings, anchorOption };
        verify.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            AuditAnchor? anchor = null;
            if (parseResult.GetValue(anchorOption) is { } anchorText && !AuditAnchor.TryParse(anchorText, out anchor))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync(
                    $"error: --anchor '{anchorText}' is not SEQUENCE:HASH (a positive number, a colon, 64 lowercase hex digits).").ConfigureAwait(false);
                return 2;
            }

            await using var services = CliServices.Build(parseResult.GetValue(settings));
            var result = await services.GetRequiredService<AuditLog>().VerifyAsync(anchor, cancellationToken).ConfigureAwait(false);
            if (result.IsIntact)
            {
                var head = result.LastHash is null ? "" : $"; last entry {result.EntriesChecked}:{result.LastHash} (record it to pass as --anchor later)";
                await output.WriteLineAsync($"intact: {result.EntriesChecked} entries verified{head}").ConfigureAwait(false);
                return 0;
            }

            await output.WriteLineAsync($"broken: entry {result.FirstBrokenSequence}: {result.Reason}").ConfigureAwait(false);
            return 1;
        });
        return new Command("audit", "Work with the tamper-evident audit log.") { verify };
    }
}
