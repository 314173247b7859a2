using System.CommandLine;
using System.Data.Common;
using ConfigurableContracts.Cli.Commands;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Cli;

/// <summary>The <c>contracts</c> command line: its commands, and how a run that cannot start is reported.</summary>
internal static class ContractsCli
{
    public static RootCommand Create() => new("contracts — validate, test and run social outcome contract templates and rules.")
    {
        EvalCommand.Create(),
        ValidateCommand.Create(),
        TestCommand.Create(),
        ConformanceCommand.Create(),
        SchemaCommand.Create(),
        ReplayCommand.Create(),
        MigrateCommand.Create(),
        EvaluateCommand.Create(),
        AuditCommand.Create(),
        KeysCommand.Create(),
        RetentionCommand.Create(),
    };

    /// <summary>
    /// Runs a command line. A bad setting, or a database that refuses the command (unreachable, or never migrated),
    /// is an <c>error:</c> line on stderr and exit 1, as the server refuses to start on them; any other exception
    /// is a bug, printed with its stack trace, also exit 1.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null)
    {
        configuration ??= new InvocationConfiguration();
        configuration.EnableDefaultExceptionHandler = false;
        try
        {
            return await Create().Parse(args).InvokeAsync(configuration).ConfigureAwait(false);
        }
        catch (OptionsValidationException exception)
        {
            foreach (var failure in exception.Failures)
            {
                await configuration.Error.WriteLineAsync($"error: {failure}").ConfigureAwait(false);
            }

            return 1;
        }
        catch (DbException exception)
        {
            await configuration.Error.WriteLineAsync(
                $"error: the database refused the command: {exception.Message} (a new database needs `contracts migrate` first)").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 130; // stopped with Ctrl+C, as a shell reports SIGINT
        }
        catch (Exception exception)
        {
            await configuration.Error.WriteLineAsync($"Unhandled exception: {exception}").ConfigureAwait(false);
            return 1;
        }
    }
}
