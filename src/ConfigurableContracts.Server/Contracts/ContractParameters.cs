using System.Text.Json;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Organisations;
using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Server.Contracts;

/// <summary>
/// Checks a contract's parameters document: the template's contract schema, no personal identity numbers, the
/// commissioner (when named) is the caller's organisation, and every <c>providers[].id</c> is an existing
/// organisation — those become the providers allowed to enrol under the contract. Errors are keyed by JSON path
/// from the request body (<c>$.parameters.providers[1].id</c>).
/// </summary>
public sealed class ContractParameters
{
    private const string Root = "$.parameters";

    private ContractParameters(string parameters, string title, IReadOnlyList<string> providerIds)
    {
        Json = parameters;
        Title = title;
        ProviderIds = providerIds;
    }

    public string Json { get; }

    public string Title { get; }

    public IReadOnlyList<string> ProviderIds { get; }

    public static async Task<(ContractParameters? Parameters, List<DocumentError> Errors)> CheckAsync(
        TemplateVersion template, JsonElement? parameters, string? title, string callerOrganisation, OrganisationStore organisations,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(organisations);
        var errors = new List<DocumentError>();
        if (parameters is not { ValueKind: JsonValueKind.Object } document)
        {
            errors.Add(new(Root, "Contract parameters (a JSON object) are required."));
            return (null, errors);
        }

        foreach (var error in template.ContractSchema.Validate(document).Concat(PersonalIdentityNumbers.Find(document)))
        {
            errors.Add(new(JsonPath.Under(Root, error.Path), error.Message));
        }

        foreach (var unset in TemplateParameters.Missing(template, document))
        {
            // The schema may already have said this parameter is required; once is enough.
            var path = JsonPath.Under(Root, unset.Path);
            if (!errors.Any(e => e.Path == path))
            {
                errors.Add(new(path, unset.Message));
            }
        }

        if (document.TryGetProperty("commissioner", out var commissioner) && commissioner.ValueKind == JsonValueKind.Object
            && commissioner.TryGetProperty("id", out var commissionerId) && commissionerId.ValueKind == JsonValueKind.String
            && commissionerId.GetString() != callerOrganisation)
        {
            errors.Add(new($"{Root}.commissioner.id", $"'{commissionerId.GetString()}' is not your organisation '{callerOrganisation}'; a commissioner creates contracts for itself."));
        }

        var providers = ReadProviders(document, errors);
        var missing = await organisations.MissingAsync(providers.Select(p => p.Id).ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var (id, path) in providers.Where(p => missing.Contains(p.Id)))
        {
            errors.Add(new(path, $"No organisation has the id '{id}'; an admin creates provider organisations first."));
        }

        var resolvedTitle = (title ?? (document.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null))?.Trim();
        if (string.IsNullOrEmpty(resolvedTitle) || resolvedTitle.Length > 400)
        {
            errors.Add(new("$.title", "Give a title of 1 to 400 characters, in the request or as the parameters' 'title'."));
        }
        else if (PersonalIdentityNumbers.RefusalOf(title, "$.title") is { } refusal)
        {
            errors.Add(refusal); // a title from the parameters was scanned with them, at its own path
        }

        return errors.Count > 0
            ? (null, errors)
            : (new ContractParameters(document.GetRawText(), resolvedTitle!, providers.Select(p => p.Id).Distinct(StringComparer.Ordinal).ToList()), errors);
    }

    private static List<(string Id, string Path)> ReadProviders(JsonElement document, List<DocumentError> errors)
    {
        var providers = new List<(string, string)>();
        if (!document.TryGetProperty("providers", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return providers;
        }

        var index = 0;
        foreach (var provider in list.EnumerateArray())
        {
            var path = $"{Root}.providers[{index++}].id";
            if (provider.ValueKind == JsonValueKind.Object && provider.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                && OrganisationIds.IsValid(id.GetString()))
            {
                providers.Add((id.GetString()!, path));
            }
            else
            {
                errors.Add(new(path, "Each provider needs an 'id' naming an organisation (lower-case words joined by hyphens)."));
            }
        }

        return providers;
    }
}
