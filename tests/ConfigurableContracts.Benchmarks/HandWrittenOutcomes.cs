using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Benchmarks;

/// <summary>
/// The same ten rules written directly in C#, with the same NotEvaluable handling, producing one status and output
/// per rule: over typed POCOs (the real limit, the baseline of the side-by-side run) and over the engine's own
/// input values (dictionaries of the value model), which shows what reading that model costs by itself.
/// </summary>
internal static class HandWrittenOutcomes
{
    public readonly record struct Result(RuleStatus Status, decimal? Output);

    private static RuleStatus Of(bool value) => value ? RuleStatus.Achieved : RuleStatus.NotAchieved;

    public static Result[] Evaluate(OutcomePocoInputs inputs)
    {
        var (contract, participant, baseline, followUp3, followUp6, asOf) = inputs;
        var enrolledOn = participant.EnrolledOn;
        var sessions = participant.Sessions;
        var exitReason = participant.ExitReason;
        var baselineScore = baseline?.Score;
        var monthsEnrolled = (decimal)(asOf - enrolledOn).Ticks / TimeSpan.TicksPerDay / 30;
        decimal? change = followUp6 is not null && baselineScore is { } s0 ? followUp6.Score - s0 : null;

        var results = new Result[10];
        results[0] = new(Of(monthsEnrolled >= 3), null);
        results[1] = change is null ? new(RuleStatus.NotEvaluable, null) : new(Of(change >= contract.Threshold), null);
        var groups = 0;
        foreach (var session in sessions)
            if (session.Kind == "group") groups++;
        results[2] = new(Of(groups >= 3), null);
        var activity = sessions.Count >= 2 && monthsEnrolled >= 1;
        results[3] = new(Of(activity), activity ? contract.ActivityPayment : null);
        if (exitReason is not null)
        {
            results[4] = new(RuleStatus.NotAchieved, null);
        }
        else if (change is null)
        {
            results[4] = new(RuleStatus.NotEvaluable, null);
        }
        else
        {
            var outcome = change >= contract.Threshold;
            results[4] = new(Of(outcome), outcome ? contract.OutcomePayment : null);
        }
        var age = participant.Age;
        results[5] = new(Of(age >= 12 && age <= 18), null);
        results[6] = new(Of(exitReason is "moved" or "declined"), null);
        results[7] = baseline is not null ? new(Of(baseline.MeasuredOn <= enrolledOn.AddDays(30)), null) : new(RuleStatus.NotEvaluable, null);
        results[8] = followUp3 is not null && baselineScore is { } b3 ? new(Of(followUp3.Score > b3), null) : new(RuleStatus.NotEvaluable, null);
        var priority = participant.Priority;
        results[9] = baselineScore is { } bs ? new(Of(bs < 2.5m || priority), null) : new(priority ? RuleStatus.Achieved : RuleStatus.NotEvaluable, null);
        return results;
    }

    /// <summary>
    /// The same rules as a programmer tuning them by hand would write them: whole days compared with whole-month
    /// bounds instead of a decimal division (days / 30 &gt;= 3 exactly when days &gt;= 90, for whole days), and the
    /// results written into the caller's buffer instead of a new array. The lowest figure C# gets to.
    /// </summary>
    public static void EvaluateTuned(OutcomePocoInputs inputs, Span<Result> results)
    {
        var (contract, participant, baseline, followUp3, followUp6, asOf) = inputs;
        var enrolledOn = participant.EnrolledOn;
        var sessions = participant.Sessions;
        var exitReason = participant.ExitReason;
        // Dates here are calendar dates (midnight), so the difference is whole days.
        var days = (asOf - enrolledOn).Ticks / TimeSpan.TicksPerDay;
        var change = followUp6 is not null && baseline is not null ? followUp6.Score - baseline.Score : (decimal?)null;

        results[0] = new(Of(days >= 90), null);
        results[1] = change is { } c1 ? new(Of(c1 >= contract.Threshold), null) : new(RuleStatus.NotEvaluable, null);
        var groups = 0;
        foreach (var session in sessions)
            if (session.Kind == "group") groups++;
        results[2] = new(Of(groups >= 3), null);
        var activity = sessions.Count >= 2 && days >= 30;
        results[3] = new(Of(activity), activity ? contract.ActivityPayment : null);
        results[4] = exitReason is not null ? new(RuleStatus.NotAchieved, null)
            : change is not { } c4 ? new(RuleStatus.NotEvaluable, null)
            : c4 >= contract.Threshold ? new(RuleStatus.Achieved, contract.OutcomePayment) : new(RuleStatus.NotAchieved, null);
        results[5] = new(Of(participant.Age is >= 12 and <= 18), null);
        results[6] = new(Of(exitReason is "moved" or "declined"), null);
        results[7] = baseline is not null ? new(Of(baseline.MeasuredOn <= enrolledOn.AddDays(30)), null) : new(RuleStatus.NotEvaluable, null);
        results[8] = followUp3 is not null && baseline is not null ? new(Of(followUp3.Score > baseline.Score), null) : new(RuleStatus.NotEvaluable, null);
        results[9] = baseline is not null ? new(Of(baseline.Score < 2.5m || participant.Priority), null)
            : new(participant.Priority ? RuleStatus.Achieved : RuleStatus.NotEvaluable, null);
    }

    public static Result[] Evaluate(RuleInputs inputs)
    {
        inputs.TryGetValue("contract", out var c);
        inputs.TryGetValue("participant", out var p);
        inputs.TryGetValue("baseline", out var b);
        inputs.TryGetValue("followUp3", out var f3);
        inputs.TryGetValue("followUp6", out var f6);
        inputs.TryGetValue("asOf", out var a);
        var contract = (IReadOnlyDictionary<string, object?>)c!;
        var participant = (IReadOnlyDictionary<string, object?>)p!;
        var baseline = b as IReadOnlyDictionary<string, object?>;
        var followUp3 = f3 as IReadOnlyDictionary<string, object?>;
        var followUp6 = f6 as IReadOnlyDictionary<string, object?>;
        var asOf = (DateTime)a!;
        var enrolledOn = (DateTime)participant["enrolledOn"]!;
        var sessions = (IReadOnlyList<object?>)participant["sessions"]!;
        var exitReason = participant["exitReason"] as string;
        var threshold = (decimal)contract["threshold"]!;
        var baselineScore = baseline?["score"] as decimal?;

        var monthsEnrolled = (decimal)(asOf - enrolledOn).Ticks / TimeSpan.TicksPerDay / 30;
        decimal? change = followUp6?["score"] is decimal s6 && baselineScore is { } s0 ? s6 - s0 : null;

        var results = new Result[10];
        results[0] = new(Of(monthsEnrolled >= 3), null);
        results[1] = change is null ? new(RuleStatus.NotEvaluable, null) : new(Of(change >= threshold), null);
        var groups = 0;
        foreach (var session in sessions)
            if ((string?)((IReadOnlyDictionary<string, object?>)session!)["kind"] == "group") groups++;
        results[2] = new(Of(groups >= 3), null);
        var activity = sessions.Count >= 2 && monthsEnrolled >= 1;
        results[3] = new(Of(activity), activity ? (decimal)contract["activityPayment"]! : null);
        // Three-valued like the engine: a participant who exited fails the outcome even without a follow-up.
        if (exitReason is not null)
        {
            results[4] = new(RuleStatus.NotAchieved, null);
        }
        else if (change is null)
        {
            results[4] = new(RuleStatus.NotEvaluable, null);
        }
        else
        {
            var outcome = change >= threshold;
            results[4] = new(Of(outcome), outcome ? (decimal)contract["outcomePayment"]! : null);
        }
        var age = (long)participant["age"]!;
        results[5] = new(Of(age >= 12 && age <= 18), null);
        results[6] = new(Of(exitReason is "moved" or "declined"), null);
        results[7] = baseline?["measuredOn"] is DateTime measuredOn ? new(Of(measuredOn <= enrolledOn.AddDays(30)), null) : new(RuleStatus.NotEvaluable, null);
        results[8] = followUp3?["score"] is decimal s3 && baselineScore is { } b3 ? new(Of(s3 > b3), null) : new(RuleStatus.NotEvaluable, null);
        var priority = participant["priority"] is true;
        results[9] = baselineScore is { } bs ? new(Of(bs < 2.5m || priority), null) : new(priority ? RuleStatus.Achieved : RuleStatus.NotEvaluable, null);
        return results;
    }
}
