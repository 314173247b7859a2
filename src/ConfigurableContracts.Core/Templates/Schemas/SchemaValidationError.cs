namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// One reason a document does not satisfy its schema: the JSON path of the offending value
/// (<c>$.providers[2].prices.outcomePayment</c>) and a plain message meant for the person who wrote the document.
/// </summary>
public sealed record SchemaValidationError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
