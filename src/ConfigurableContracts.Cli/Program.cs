using System.CommandLine;
using ConfigurableContracts.Cli.Commands;

var root = new RootCommand("contracts: validate, test and evaluate outcome-contract templates and rules.");
root.Subcommands.Add(SchemaCommand.Create());
return root.Parse(args).Invoke();
