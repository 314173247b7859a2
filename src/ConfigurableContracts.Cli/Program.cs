using ConfigurableContracts.Cli;

return await ContractsCli.InvokeAsync(args).ConfigureAwait(false);
