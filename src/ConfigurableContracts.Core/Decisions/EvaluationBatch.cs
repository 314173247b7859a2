using ConfigurableContracts.Core.Data;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>What one write transaction carries: the snapshots its decisions were made on, the decisions and their ledger entries.</summary>
internal sealed class EvaluationBatch(int participants = 0)
{
    public int Participants { get; } = participants;

    public Dictionary<string, Utf8Text> Inputs { get; } = new(StringComparer.Ordinal);

    public List<DecisionRow> Decisions { get; } = [];

    public List<LedgerRow> Ledger { get; } = [];
}
