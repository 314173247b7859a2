using BenchmarkDotNet.Running;
using ConfigurableContracts.Benchmarks;
using ConfigurableContracts.Benchmarks.NightlyRun;

// BenchmarkDotNet:  dotnet run -c Release --project tests/ConfigurableContracts.Benchmarks -- --filter '*' --job short
// CPU time probe:   dotnet run -c Release --project tests/ConfigurableContracts.Benchmarks -- --cpu-time [participants] [method] [rounds]
//                   (one method with many rounds, e.g. "--cpu-time 20000 'Engine typed' 200", is handy under perf record)
// Nightly run:      dotnet run -c Release --project tests/ConfigurableContracts.Benchmarks -- nightly [participants]
// Reports:          dotnet run -c Release --project tests/ConfigurableContracts.Benchmarks -- reports [participants] [load seconds] [counting rounds]
// The nightly and report scenarios take seconds end to end, so they are measured directly rather than iterated by BenchmarkDotNet.
if (args is ["--cpu-time", ..])
{
    CpuTimeProbe.Run(Console.Out,
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : null,
        args.Length > 2 ? args[2] : null,
        args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 7);
    return 0;
}

if (args is ["nightly" or "reports", ..])
{
    // The nightly job and reports run inside the server, which uses the server GC (ASP.NET Core's default); the
    // benchmark host is a console app, so the scenario runs in a child process with the server's GC.
    if (!System.Runtime.GCSettings.IsServerGC)
    {
        var child = new System.Diagnostics.ProcessStartInfo(Environment.ProcessPath!) { Environment = { ["DOTNET_gcServer"] = "1" } };
        var arguments = Environment.GetCommandLineArgs();
        // Started as "dotnet Benchmarks.dll …" rather than through the app host, the child needs the assembly too.
        foreach (var argument in Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? arguments : arguments[1..])
        {
            child.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(child)!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    var participants = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
    return args[0] == "nightly"
        ? await NightlyRunScenario.RunAsync(participants)
        : await ConfigurableContracts.Benchmarks.Reports.OutcomeReportScenario.RunAsync(participants,
            TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20),
            args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 5);
}

BenchmarkSwitcher.FromAssembly(typeof(NightlyRunScenario).Assembly).Run(args);
return 0;
