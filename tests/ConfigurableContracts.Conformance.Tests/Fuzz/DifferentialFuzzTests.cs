using System.Diagnostics;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace ConfigurableContracts.Conformance.Tests.Fuzz;

/// <summary>
/// Differential fuzzing against Microsoft RulesEngine: generated workflows over generated JSON inputs, every rule on
/// every input compared, every disagreement either explained by a documented difference or a failure that FsCheck
/// shrinks to a small workflow and input. See docs/writing-outcome-rules.md, "Differential fuzzing against RulesEngine".
/// </summary>
public class DifferentialFuzzTests(ITestOutputHelper output)
{
    /// <summary>Rule × input cases per run; <c>CONFORMANCE_FUZZ_CASES</c> raises it for a longer local run.</summary>
    private const int DefaultCases = 100_000;

    /// <summary>The seed CI uses, so that a red run is red again on replay; <c>CONFORMANCE_FUZZ_SEED=random</c> explores.</summary>
    private const ulong DefaultSeed = 20261207;

    // RulesEngine compiles a workflow per input shape, so cases come in batches: one workflow of RulesPerWorkflow
    // rules over InputsPerWorkflow inputs is RulesPerWorkflow × InputsPerWorkflow cases for one generation.
    private const int RulesPerWorkflow = 40;
    private const int InputsPerWorkflow = 10;
    private const int WorkflowsPerBatch = 25;

    [Fact]
    public void GeneratedWorkflows_AgreeWithRulesEngine_ExceptForDocumentedDifferences()
    {
        var target = int.TryParse(Environment.GetEnvironmentVariable("CONFORMANCE_FUZZ_CASES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : DefaultCases;
        var seedText = Environment.GetEnvironmentVariable("CONFORMANCE_FUZZ_SEED");
        var seed = seedText switch
        {
            null or "" => DefaultSeed,
            "random" => (ulong)Random.Shared.NextInt64(1, int.MaxValue),
            _ => ulong.Parse(seedText, CultureInfo.InvariantCulture),
        };
        output.WriteLine($"Differential fuzz: seed {seed}, at least {target} rule × input cases. Replay: CONFORMANCE_FUZZ_SEED={seed} CONFORMANCE_FUZZ_CASES={target} dotnet test tests/ConfigurableContracts.Conformance.Tests --filter {nameof(GeneratedWorkflows_AgreeWithRulesEngine_ExceptForDocumentedDifferences)}");

        var total = new FuzzOutcome();
        var workflows = 0;
        var stopwatch = Stopwatch.StartNew();
        var property = Prop.ForAll(FuzzGenerators.Cases(RulesPerWorkflow, InputsPerWorkflow), fuzzCase =>
        {
            var outcome = FuzzComparison.Run(fuzzCase);
            if (outcome.Undocumented.Count > 0) throw new UndocumentedDisagreementException(FuzzComparison.Describe(fuzzCase, outcome));
            workflows++;
            total.Cases += outcome.Cases;
            total.Agreeing += outcome.Agreeing;
            total.NestedComparisons += outcome.NestedComparisons;
            foreach (var (difference, count) in outcome.Explained) total.Explained[difference] = total.Explained.GetValueOrDefault(difference) + count;
        });
        for (var batch = 0UL; total.Cases < target; batch++)
        {
            // Each batch has its own seed derived from the run's seed, so the whole run replays from that one number.
            var replay = new Replay(new Rnd(seed * 1_000_003 + batch, 0x9E3779B97F4A7C15), null);
            try
            {
                property.Check(Config.QuickThrowOnFailure.WithMaxTest(WorkflowsPerBatch).WithReplay(replay).WithQuietOnSuccess(true));
            }
            catch (Exception failure)
            {
                output.WriteLine($"Failed in batch {batch} of seed {seed}; rerun with CONFORMANCE_FUZZ_SEED={seed} to replay.");
                output.WriteLine(failure.Message);
                throw;
            }
        }

        output.WriteLine($"{total.Cases} cases (rule × input) in {workflows} workflows, {stopwatch.Elapsed.TotalSeconds:F0} s; {total.NestedComparisons} nested rules compared besides.");
        var (compared, typed) = TypedTierCheck.Counts;
        output.WriteLine($"Typed tier: {compared} rule results compared with the closures on the first {TypedTierCheck.InputsPerCase} inputs of each workflow, {typed} of them answered by typed code, all equal.");
        output.WriteLine($"{total.Agreeing} cases agree; the others differ only as documented:");
        foreach (var (difference, count) in total.Explained.OrderBy(e => e.Key.Number))
            output.WriteLine($"  {difference}: {count}");
        Assert.True(total.Cases >= target);
    }
}

/// <summary>A disagreement with RulesEngine that no documented difference explains; the message has the case.</summary>
public sealed class UndocumentedDisagreementException(string message) : Exception(message);
