namespace ConfigurableContracts.Core.Json;

/// <summary>
/// One reason a JSON document is refused, at the JSON path of the offending value (<c>$.providers[2].name</c>) with a
/// plain message meant for the person who wrote the document. The one error-at-a-path type: schema validation,
/// intake checks, request limits and the server's ProblemDetails <c>errors</c> member all speak it.
/// </summary>
public sealed record DocumentError(string Path, string Message)
{
    /// <summary>The one-line form the CLI and logs print: <c>$.path: message</c>.</summary>
    public override string ToString() => $"{Path}: {Message}";
}
