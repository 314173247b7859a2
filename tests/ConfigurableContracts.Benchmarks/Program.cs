using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project tests/ConfigurableContracts.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
