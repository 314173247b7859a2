using System.CommandLine;
using ConfigurableContracts.Cli.Hosting;
using ConfigurableContracts.Core.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace ConfigurableContracts.Cli.Commands;

/// <summary>
/// <c>contracts evaluate --contract ID</c>: evaluates one active contract now against the configured database,
/// through the same runner as the server's nightly job (run record, lease, retries), recorded as a manual run.
/// Shows a progress bar on a terminal and plain progress lines otherwise; exits 0 when the run succeeded.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var settings = CommonOptions.Settings();
        var contract = new Option<string>("--contract") { Description = "The id of the active contract to evaluate.", Required = true };
        var command = new Command("evaluate", "Evaluate one contract now against the configured database, as the nightly run does.") { contract, settings };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var contractId = parseResult.GetValue(contract)!;
            await using var services = CliServices.Build(parseResult.GetValue(settings));
            if (await services.GetRequiredService<EvaluableContracts>().FindActiveAsync(contractId, cancellationToken).ConfigureAwait(false) is null)
            {
                await output.WriteLineAsync($"Contract '{contractId}' does not exist or is not active.").ConfigureAwait(false);
                return 1;
            }

            var display = new ProgressDisplay();
            var runner = new EvaluationRunner(
                services.GetRequiredService<EvaluationRunStore>(),
                new ObservedEvaluation(services.GetRequiredService<IContractEvaluation>(), display),
                services.GetRequiredService<IOptions<SchedulerOptions>>(),
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<ILogger<EvaluationRunner>>());
            var (queued, created) = await runner.QueueManualAsync(contractId, cancellationToken).ConfigureAwait(false);
            if (!created)
            {
                await output.WriteLineAsync($"Contract '{contractId}' already has run {queued.Id} {RunNames.Of(queued.Status)}; try again when it has finished.").ConfigureAwait(false);
                return 1;
            }

            var request = new RunRequest(contractId, RunTrigger.Manual, queued.ScheduledFor, queued.Id);
            var instanceId = $"cli-{Environment.MachineName}-{Environment.ProcessId}";
            var run = IsTerminal(output)
                ? await display.WithBarAsync(contractId, () => runner.RunAsync(request, instanceId, cancellationToken)).ConfigureAwait(false)
                : await display.WithLinesAsync(output, contractId, () => runner.RunAsync(request, instanceId, cancellationToken)).ConfigureAwait(false);
            return await ReportAsync(output, run).ConfigureAwait(false);
        });
        return command;
    }

    // The bar needs a terminal of its own; redirected output, and output a caller captures, gets plain lines.
    private static bool IsTerminal(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    private static async Task<int> ReportAsync(TextWriter output, EvaluationRun? run)
    {
        if (run is null)
        {
            await output.WriteLineAsync("The run was taken over by another process; see GET /api/evaluations.").ConfigureAwait(false);
            return 1;
        }

        var counts = run.Counts is null ? string.Empty : " " + string.Join(", ", run.Counts.Select(c => $"{c.Key}={c.Value}"));
        var line = run.Status == RunStatus.Succeeded
            ? $"Run {run.Id} succeeded: {run.ParticipantsTotal} participants,{counts}."
            : $"Run {run.Id} {RunNames.Of(run.Status)}: {run.Error}";
        await output.WriteLineAsync(line).ConfigureAwait(false);
        return run.Status == RunStatus.Succeeded ? 0 : 1;
    }

    /// <summary>Passes every progress report of the evaluation to the display as well as to the runner.</summary>
    private sealed class ObservedEvaluation(IContractEvaluation inner, ProgressDisplay display) : IContractEvaluation
    {
        public Task<EvaluationOutcome> RunAsync(string contractId, EvaluationRun run, IProgress<EvaluationProgress> progress, CancellationToken cancellationToken) =>
            inner.RunAsync(contractId, run, new Tee(progress, display), cancellationToken);

        private sealed class Tee(IProgress<EvaluationProgress> first, ProgressDisplay second) : IProgress<EvaluationProgress>
        {
            public void Report(EvaluationProgress value)
            {
                first.Report(value);
                second.Latest = value;
            }
        }
    }

    /// <summary>Shows the latest progress as a Spectre.Console bar, or as a plain line at most once a second.</summary>
    private sealed class ProgressDisplay
    {
        private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(1);

        public EvaluationProgress Latest { get; set; }

        public async Task<EvaluationRun?> WithBarAsync(string contractId, Func<Task<EvaluationRun?>> run)
        {
            EvaluationRun? result = null;
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var bar = context.AddTask(Markup.Escape(contractId), maxValue: 1);
                    var running = run();
                    var started = DateTime.UtcNow;
                    while (await Task.WhenAny(running, Task.Delay(100)).ConfigureAwait(false) != running)
                    {
                        Show(bar, contractId, Latest, DateTime.UtcNow - started);
                    }

                    result = await running.ConfigureAwait(false);
                    Show(bar, contractId, Latest, DateTime.UtcNow - started);
                    bar.Value = bar.MaxValue;
                }).ConfigureAwait(false);
            return result;
        }

        public async Task<EvaluationRun?> WithLinesAsync(TextWriter output, string contractId, Func<Task<EvaluationRun?>> run)
        {
            var running = run();
            var started = DateTime.UtcNow;
            while (await Task.WhenAny(running, Task.Delay(LineInterval)).ConfigureAwait(false) != running)
            {
                await WriteLineAsync(output, contractId, Latest, DateTime.UtcNow - started).ConfigureAwait(false);
            }

            var result = await running.ConfigureAwait(false);
            await WriteLineAsync(output, contractId, Latest, DateTime.UtcNow - started).ConfigureAwait(false);
            return result;
        }

        private static void Show(ProgressTask bar, string contractId, EvaluationProgress progress, TimeSpan elapsed)
        {
            // The bar's label carries the counts and the rate, so the bar says as much as the plain lines do.
            bar.Description = Markup.Escape(Describe(contractId, progress, elapsed));
            bar.MaxValue = Math.Max(1, progress.ParticipantsTotal);
            bar.Value = progress.ParticipantsDone;
        }

        private static Task WriteLineAsync(TextWriter output, string contractId, EvaluationProgress progress, TimeSpan elapsed) =>
            output.WriteLineAsync(Describe(contractId, progress, elapsed));

        /// <summary>"c-1: 12000/100000 participants, 9500/s": what both the bar and the plain lines show.</summary>
        private static string Describe(string contractId, EvaluationProgress progress, TimeSpan elapsed)
        {
            var rate = elapsed.TotalSeconds > 0 ? progress.ParticipantsDone / elapsed.TotalSeconds : 0;
            return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{contractId}: {progress.ParticipantsDone}/{progress.ParticipantsTotal} participants, {rate:F0}/s");
        }
    }
}
