using BenchmarkDotNet.Running;
using ConfigurableContracts.Benchmarks;

// BenchmarkDotNet:  dotnet run -c Release --project tests/ConfigurableContracts.Benchmarks -- --filter '*' --job short
// CPU time probe:   dotnet run -c Release --project tests/ConfigurableContracts.Benchmarks -- --cpu-time
if (args is ["--cpu-time"])
{
    CpuTimeProbe.Run(Console.Out);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
