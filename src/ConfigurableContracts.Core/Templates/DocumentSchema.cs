using System.Text.Json;
using ConfigurableContracts.Core.Json;

namespace ConfigurableContracts.Core.Templates;

/// <summary>A template schema ready to validate documents (contract parameters, participant records, measurements).</summary>
public interface IDocumentSchema
{
    /// <summary>Every error in <paramref name="document"/>; empty when it is valid. Safe to call from many threads.</summary>
    IReadOnlyList<DocumentError> Validate(JsonElement document);
}
