using System.CommandLine;
using ConfigurableContracts.Cli.Hosting;
using ConfigurableContracts.Core.Privacy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Cli.Commands;

/// <summary>
/// <c>contracts retention [--dry-run]</c>: removes (or, with <c>--dry-run</c>, lists) the participant data of closed
/// contracts past the retention period, exactly as the server's nightly retention job does.
/// </summary>
internal static class RetentionCommand
{
    public static Command Create()
    {
        var settings = CommonOptions.Settings();
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be removed; change nothing." };
        var command = new Command("retention", "Remove the participant data of contracts closed longer than Retention:PeriodYears (see the README's Security section).") { dryRun, settings };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var services = CliServices.Build(parseResult.GetValue(settings));
            var output = parseResult.InvocationConfiguration.Output;
            try
            {
                // The Retention section is checked, by the server's validator, before anything is touched.
                _ = services.GetRequiredService<IOptions<RetentionOptions>>().Value;
            }
            catch (OptionsValidationException exception)
            {
                foreach (var failure in exception.Failures)
                {
                    await parseResult.InvocationConfiguration.Error.WriteLineAsync($"error: {failure}").ConfigureAwait(false);
                }

                return 2;
            }

            var sweep = services.GetRequiredService<RetentionSweep>();
            var contracts = parseResult.GetValue(dryRun)
                ? await sweep.PlanAsync(cancellationToken).ConfigureAwait(false)
                : (await sweep.RunAsync(cancellationToken).ConfigureAwait(false)).Removed;
            var verb = parseResult.GetValue(dryRun) ? "would remove" : "removed";
            foreach (var contract in contracts)
            {
                await output.WriteLineAsync(
                    $"{verb} contract {contract.ContractId} (closed {contract.ClosedOn:yyyy-MM-dd}, removable from {contract.RemovableFrom:yyyy-MM-dd}): " +
                    $"{contract.Participants} participant(s), {contract.MeasurementVersions} measurement version(s), {contract.Decisions} decision(s) stripped").ConfigureAwait(false);
            }

            await output.WriteLineAsync($"{contracts.Count} contract(s) {(parseResult.GetValue(dryRun) ? "due" : "removed")}").ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
