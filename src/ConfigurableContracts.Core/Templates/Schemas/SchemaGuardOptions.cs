namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// Limits the guard enforces on template schemas and on the documents validated against them. The defaults fit
/// hand-written contract schemas and single records; raise them only with a reason, since each bounds work an
/// untrusted file can make the server do.
/// </summary>
public sealed record SchemaGuardOptions
{
    /// <summary>Largest schema file accepted, in bytes.</summary>
    public int MaxSchemaBytes { get; init; } = 1024 * 1024;

    /// <summary>Deepest nesting of JSON objects and arrays accepted in a schema file.</summary>
    public int MaxSchemaDepth { get; init; } = 64;

    /// <summary>Most schema files one schema may pull in through relative <c>$ref</c>s, itself included.</summary>
    public int MaxSchemaFiles { get; init; } = 64;

    /// <summary>Largest document accepted for validation, in UTF-8 bytes.</summary>
    public int MaxDocumentBytes { get; init; } = 1024 * 1024;

    /// <summary>Deepest nesting accepted in a validated document.</summary>
    public int MaxDocumentDepth { get; init; } = 64;

    /// <summary>How long one <c>pattern</c> match may run before the value is reported invalid.</summary>
    public TimeSpan RegexTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Total time all <c>pattern</c> and <c>patternProperties</c> matches of one document may take: the per-match timeout
    /// alone would let a document with thousands of strings each just under it run for minutes.
    /// </summary>
    public TimeSpan PatternBudgetPerDocument { get; init; } = TimeSpan.FromSeconds(1);
}
