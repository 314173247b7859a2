using System.Diagnostics;

namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// State of one validation run: where we are in the document and, when the caller wants reasons and not just a
/// verdict, the errors found so far. Sub-validations whose failure is not itself an error (the alternatives of
/// <c>anyOf</c>, the condition of <c>if</c>) run silenced, which also lets them stop at the first failure.
/// </summary>
internal sealed class ValidationContext
{
    private int _silenced;

    public ValidationContext(bool collectErrors, TimeSpan patternBudget)
    {
        Errors = collectErrors ? [] : null;
        PatternTicksLeft = (long)(patternBudget.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Stopwatch ticks the document's pattern matches may still use; see <see cref="SchemaGuardOptions.PatternBudgetPerDocument"/>.</summary>
    public long PatternTicksLeft { get; set; }

    public InstancePath Path { get; } = new();

    public List<SchemaValidationError>? Errors { get; }

    /// <summary>True when failures must be recorded and validation must go on to find the others.</summary>
    public bool Collecting => Errors is not null && _silenced == 0;

    public void Silence() => _silenced++;

    public void Unsilence() => _silenced--;

    public void Report(string message, string? property = null)
    {
        if (Collecting)
            Errors!.Add(new SchemaValidationError(Path.Render(property), message));
    }
}
