using BenchmarkDotNet.Running;
using ConfigurableContracts.Benchmarks.NightlyRun;

// `nightly [participants]` runs the end-to-end nightly scenario once (it takes seconds, so it is measured directly);
// anything else goes to BenchmarkDotNet's switcher for the micro-benchmarks.
if (args is ["nightly", ..])
{
    return await NightlyRunScenario.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
}

BenchmarkSwitcher.FromAssembly(typeof(NightlyRunScenario).Assembly).Run(args);
return 0;
