using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>
/// State shared by every batch of one run: what it evaluates against, the decision numbering, the counts it reports
/// and where its time went (read, evaluate, decide, write — see <see cref="EvaluationSummary"/>).
/// </summary>
internal sealed class RunContext(string contractId, string runId, TemplateVersion template, string contractHash, DateOnly asOf, DateTimeOffset now)
{
    // Indexed by the status's value: counted once per outcome of every participant, so no dictionary lookup.
    private readonly int[] _statuses = new int[Enum.GetValues<RuleStatus>().Length];

    public string ContractId { get; } = contractId;

    public string RunId { get; } = runId;

    public TemplateVersion Template { get; } = template;

    public string ContractHash { get; } = contractHash;

    public DateOnly AsOf { get; } = asOf;

    public DateTimeOffset Now { get; } = now;

    public long Sequence { get; set; }

    public int Written { get; private set; }

    public int Unchanged { get; set; }

    public TimeSpan WriteTime { get; set; }

    public TimeSpan ReadTime { get; set; }

    public TimeSpan EvaluateTime { get; set; }

    public TimeSpan DecideTime { get; set; }

    public int LedgerWritten { get; private set; }

    /// <summary>How many participant outcomes of this run came to <paramref name="status"/>.</summary>
    public int Count(RuleStatus status) => _statuses[(int)status];

    public void Counted(RuleStatus status) => _statuses[(int)status]++;

    public void Add(EvaluationBatch batch)
    {
        Written += batch.Decisions.Count;
        LedgerWritten += batch.Ledger.Count;
    }
}
