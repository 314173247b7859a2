using System.CommandLine;
using ConfigurableContracts.Cli.Hosting;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Privacy;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigurableContracts.Cli.Commands;

/// <summary>
/// <c>contracts replay --decision ID</c>: re-evaluates a stored decision from its stored template bundle and input
/// snapshot and says whether the result is byte-identical — what an independent verifier runs. It reads a
/// participant's stored inputs, so every replay (and every unknown id tried) is audited as <c>cli:&lt;OS user&gt;</c>.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var settings = CommonOptions.Settings();
        var decision = new Option<string>("--decision") { Description = "The id of the decision to replay.", Required = true };
        var command = new Command("replay", "Re-evaluate a decision from its stored bundle and inputs; exit 0 when identical, 1 when not, 3 when its data was removed under retention.") { decision, settings };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var services = CliServices.Build(parseResult.GetValue(settings));
            var output = parseResult.InvocationConfiguration.Output;
            var id = parseResult.GetValue(decision)!;
            var audit = services.GetRequiredService<OperatorAudit>();
            var target = await services.GetRequiredService<AuditTargets>().DecisionAsync(id, cancellationToken).ConfigureAwait(false);
            ReplayResult? result;
            try
            {
                result = await services.GetRequiredService<DecisionReplay>().ReplayAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (DecisionDataRemovedException removed)
            {
                await audit.ReplayedAsync(id, target?.ContractId, target?.Pseudonym, "not-found", "inputs removed under retention", cancellationToken).ConfigureAwait(false);
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"error: {removed.Message}").ConfigureAwait(false);
                return 3;
            }

            if (result is null)
            {
                await audit.ReplayedAsync(id, null, null, "not-found", "no such decision", cancellationToken).ConfigureAwait(false);
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"error: no decision '{id}'.").ConfigureAwait(false);
                return 2;
            }

            // Recorded before anything read from the participant's inputs is printed.
            await audit.ReplayedAsync(id, target?.ContractId, target?.Pseudonym, "allowed", result.Identical ? "identical" : "different", cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(result.Identical ? "identical" : "different").ConfigureAwait(false);
            await output.WriteLineAsync($"decision {result.DecisionId}: {result.Workflow}/{result.Outcome}, bundle {result.BundleHash}, inputs {result.InputHash}, engine {result.StoredEngineVersion} (now {result.ReplayEngineVersion})").ConfigureAwait(false);
            if (!result.Identical)
            {
                await output.WriteLineAsync($"stored:   {result.StoredResult}").ConfigureAwait(false);
                await output.WriteLineAsync($"replayed: {result.ReplayedResult}").ConfigureAwait(false);
            }

            return result.Identical ? 0 : 1;
        });
        return command;
    }
}
