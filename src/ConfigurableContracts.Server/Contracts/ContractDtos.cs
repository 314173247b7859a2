using System.Text.Json;
using ConfigurableContracts.Core.Contracts;
using Microsoft.AspNetCore.Mvc;

namespace ConfigurableContracts.Server.Contracts;

/// <summary>Create a contract from a template version; <c>parameters</c> must satisfy the template's contract schema.</summary>
public sealed record CreateContractRequest(string? TemplateId, string? TemplateVersion, string? Title, JsonElement? Parameters);

/// <summary>Replace a draft's title and parameters (send the ETag you read as <c>If-Match</c>).</summary>
public sealed record UpdateContractRequest(string? Title, JsonElement? Parameters);

/// <summary>
/// An edit of a draft: the route, the new title and parameters (the body, still shown as
/// <see cref="UpdateContractRequest"/> in the OpenAPI document) and the ETag it was read at.
/// </summary>
public sealed record EditDraftRequest(
    [property: FromRoute(Name = "contractId")] string ContractId,
    [property: FromBody] UpdateContractRequest Edit,
    [property: FromHeader(Name = "If-Match")] string? IfMatch);

/// <summary>A contract as the API shows it; <c>rowVersion</c> is also its ETag.</summary>
public sealed record ContractDto(
    string Id,
    string CommissionerId,
    string TemplateId,
    string TemplateVersion,
    string BundleHash,
    string Title,
    string Status,
    int RowVersion,
    IReadOnlyList<string> ProviderIds,
    JsonElement Parameters,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ActivatedAt,
    DateTimeOffset? ClosedAt)
{
    public static ContractDto From(Contract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        return new(contract.Id, contract.CommissionerId, contract.TemplateId, contract.TemplateVersion, contract.BundleHash, contract.Title,
            contract.Status, contract.RowVersion, contract.ProviderIds, StoredJson.Parse(contract.Parameters), contract.CreatedAt, contract.UpdatedAt,
            contract.ActivatedAt, contract.ClosedAt);
    }
}

/// <summary>Documents are stored as the JSON text that was validated; the API hands them back as JSON, not strings.</summary>
public static class StoredJson
{
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary>A contract's or participant's ETag is its row version, quoted; <c>If-Match</c> carries it back for optimistic concurrency.</summary>
public static class RowVersionETag
{
    public static string Format(int rowVersion) => $"\"{rowVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)}\"";

    public static bool TryParse(string? ifMatch, out int rowVersion)
    {
        rowVersion = 0;
        var value = ifMatch?.Trim();
        if (value is null || value.Length < 3 || value[0] != '"' || value[^1] != '"')
        {
            return false;
        }

        return int.TryParse(value.AsSpan(1, value.Length - 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out rowVersion);
    }
}
