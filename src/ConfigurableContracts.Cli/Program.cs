using System.CommandLine;
using ConfigurableContracts.Cli.Commands;

var root = new RootCommand("contracts — validate, test and run social outcome contract templates and rules.");
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(ValidateCommand.Create());
root.Subcommands.Add(TestCommand.Create());
root.Subcommands.Add(SchemaCommand.Create());
root.Subcommands.Add(ReplayCommand.Create());
root.Subcommands.Add(MigrateCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(AuditCommand.Create());
root.Subcommands.Add(KeysCommand.Create());
root.Subcommands.Add(RetentionCommand.Create());

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
