using System.Diagnostics;
using ConfigurableContracts.Core.Json;

namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// State of one validation run: where we are in the document and, when the caller wants reasons and not just a
/// verdict, the errors found so far. Sub-validations whose failure is not itself an error (the alternatives of
/// <c>anyOf</c>, the condition of <c>if</c>) run silenced, which also lets them stop at the first failure.
/// One instance per thread is reused from run to run (<see cref="Rent"/>), so validating a valid document allocates
/// nothing here.
/// </summary>
internal sealed class ValidationContext
{
    [ThreadStatic]
    private static ValidationContext? _threadInstance;

    private bool _collect;
    private int _silenced;
    private List<DocumentError>? _errors;

    private ValidationContext()
    {
    }

    /// <summary>Stopwatch ticks the document's pattern matches may still use; see <see cref="SchemaGuardOptions.PatternBudgetPerDocument"/>.</summary>
    public long PatternTicksLeft { get; set; }

    public InstancePath Path { get; } = new();

    /// <summary>True when failures must be recorded and validation must go on to find the others.</summary>
    public bool Collecting => _collect && _silenced == 0;

    /// <summary>The calling thread's context, reset for a new run. Validation never re-enters itself on a thread.</summary>
    public static ValidationContext Rent(bool collectErrors, TimeSpan patternBudget)
    {
        var context = _threadInstance ??= new ValidationContext();
        context._collect = collectErrors;
        context._silenced = 0;
        context._errors = null;
        context.Path.Clear();
        context.PatternTicksLeft = (long)(patternBudget.TotalSeconds * Stopwatch.Frequency);
        return context;
    }

    /// <summary>The errors reported in this run, handed over to the caller (the context keeps no reference).</summary>
    public IReadOnlyList<DocumentError> TakeErrors()
    {
        var errors = _errors;
        _errors = null;
        return errors ?? [];
    }

    public void Silence() => _silenced++;

    public void Unsilence() => _silenced--;

    public void Report(string message, string? property = null)
    {
        if (Collecting)
            (_errors ??= []).Add(new DocumentError(Path.Render(property), message));
    }
}
