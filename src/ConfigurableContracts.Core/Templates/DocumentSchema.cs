using System.Text.Json;

namespace ConfigurableContracts.Core.Templates;

/// <summary>One reason a document does not fit its schema, at a JSON path such as <c>$.providers[2].name</c>.</summary>
public sealed record DocumentError(string Path, string Message);

/// <summary>A template schema ready to validate documents (contract parameters, participant records, measurements).</summary>
public interface IDocumentSchema
{
    /// <summary>Every error in <paramref name="document"/>; empty when it is valid. Safe to call from many threads.</summary>
    IReadOnlyList<DocumentError> Validate(JsonElement document);
}
