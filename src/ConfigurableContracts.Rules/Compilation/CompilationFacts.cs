using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Rules.Compilation;

/// <summary>
/// What binding learned about a compiled workflow set beyond its diagnostics: which fields of which input types the
/// expressions read, and the type of each rule's OnSuccess output. A template loader uses these to tell a designer
/// that a contract parameter is read by nothing, or that a payment rule's output is not an amount.
/// </summary>
public sealed class CompilationFacts
{
    private readonly HashSet<(RuleType Owner, string Field)> _reads = new(new OwnerFieldComparer());
    private readonly Dictionary<(string Workflow, string Rule), RuleType> _outputs = [];

    /// <summary>
    /// True when some expression reads <paramref name="field"/> of a value of exactly the type
    /// <paramref name="owner"/> (compared by reference, so pass the types the workflows were compiled with).
    /// </summary>
    public bool WasRead(RuleType owner, string field) => _reads.Contains((owner, field));

    /// <summary>True when some expression reads any field of a value of type <paramref name="owner"/>.</summary>
    public bool AnyFieldRead(RuleType owner) => owner.Properties?.Keys.Any(field => WasRead(owner, field)) ?? false;

    /// <summary>The static type of <paramref name="rule"/>'s OnSuccess OutputExpression in <paramref name="workflow"/>, or null.</summary>
    public RuleType? SuccessOutputType(string workflow, string rule) => _outputs.GetValueOrDefault((workflow, rule));

    internal void RecordRead(RuleType owner, string field) => _reads.Add((owner, field));

    internal void RecordSuccessOutput(string workflow, string rule, RuleType type) => _outputs[(workflow, rule)] = type;

    private sealed class OwnerFieldComparer : IEqualityComparer<(RuleType Owner, string Field)>
    {
        public bool Equals((RuleType Owner, string Field) x, (RuleType Owner, string Field) y) =>
            ReferenceEquals(x.Owner, y.Owner) && string.Equals(x.Field, y.Field, StringComparison.Ordinal);

        public int GetHashCode((RuleType Owner, string Field) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Owner), StringComparer.Ordinal.GetHashCode(obj.Field));
    }
}
