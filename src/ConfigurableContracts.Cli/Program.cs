using System.CommandLine;
using ConfigurableContracts.Cli.Commands;

var root = new RootCommand("contracts — validate, test and run social outcome contract templates and rules.");
root.Subcommands.Add(MigrateCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
