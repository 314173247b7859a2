using System.Globalization;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>
/// Whether a rule result changes what is decided, and the new decision when it does: the same for participant and
/// cohort outcomes, so a retried run finds exactly the decisions an uninterrupted one wrote.
/// </summary>
internal static class DecisionChanges
{
    /// <summary>Same data, same status, same output: the current decision stands and nothing is written.</summary>
    /// <remarks>The current decision's status is compared in its stored form, the form it would be written in.</remarks>
    public static bool IsUnchanged(CurrentDecision? existing, InputSnapshot snapshot, RuleStatus status, string? output) =>
        existing is not null && existing.DataHash == snapshot.DataHash && existing.Status == status.ToString() && existing.ActionOutput == output;

    /// <summary>
    /// A new decision without its sequence number (0), which the caller gives in decision order with
    /// <see cref="Numbered"/>; until then its id is the hash of what it decides; thread-safe.
    /// </summary>
    public static DecisionRow NewDecision(
        RunContext run, RuleResultTree result, string workflow, string? participantId, string? providerId, string? point,
        InputSnapshot snapshot, string? output, CurrentDecision? supersedes)
    {
        var status = result.Status.ToString();
        var id = InputSnapshot.HashJoined(run.ContractId, participantId, providerId, workflow, result.RuleName, point,
            run.Template.BundleHash, snapshot.DataHash, status, output, supersedes?.Id);
        return new DecisionRow(id, 0, run.ContractId, participantId, providerId, workflow, result.RuleName, point, status, output,
            new Utf8Text(DecisionSerialisation.ResultJsonUtf8(result)), run.Template.BundleHash, ContractEvaluator.EngineVersion,
            snapshot.InputHash, snapshot.DataHash, run.AsOf, run.RunId, run.Now, supersedes);
    }

    /// <summary>
    /// Gives a new decision its sequence number and its id: the number as 12 hex digits, then 52 of its content hash.
    /// The hash alone would scatter half a million inserts a night across the whole id index, and SQLite's WAL writes
    /// every index page a transaction touches; led by the sequence, one run's ids append at the end of it (three times
    /// fewer bytes written). The id stays what it was: 64 hex digits, the same on a retry, which numbers a decision
    /// exactly as an uninterrupted run does (the committed batches are found unchanged and take no numbers).
    /// </summary>
    public static DecisionRow Numbered(DecisionRow decision, long sequence) =>
        decision with { Sequence = sequence, Id = string.Create(CultureInfo.InvariantCulture, $"{sequence:x12}{decision.Id.AsSpan(0, 52)}") };
}
