using System.Text.Json;
using ConfigurableContracts.Core.Json;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// The contract parameters a template's manifest reads — payment caps, the cohort target share, the excluded exit
/// reasons — checked on a contract's parameters when it is created. A schema may leave one optional; a contract
/// without it would then run with no cap or no target, silently, for its whole life.
/// </summary>
public static class TemplateParameters
{
    /// <summary>Each manifest-read parameter that <paramref name="parameters"/> lacks or holds as the wrong kind of value, at its JSON path.</summary>
    public static IEnumerable<DocumentError> Missing(TemplateVersion template, JsonElement parameters)
    {
        ArgumentNullException.ThrowIfNull(template);
        foreach (var (path, what, kind) in ReadByManifest(template.Declared))
        {
            if (Resolve(parameters, path) is not { } value || value.ValueKind != kind)
            {
                yield return new DocumentError(
                    "$." + path,
                    $"The template reads {what} from '{path}' ({(kind == JsonValueKind.Number ? "a number" : "an array")}); give it, or the contract would run without it.");
            }
        }
    }

    private static IEnumerable<(string Path, string What, JsonValueKind Kind)> ReadByManifest(TemplateManifest manifest)
    {
        if (manifest.PaymentModel?.Caps?.PerProviderParameter is { } perProvider)
        {
            yield return (perProvider, "the per-provider payment cap", JsonValueKind.Number);
        }

        if (manifest.PaymentModel?.Caps?.PerContractParameter is { } perContract)
        {
            yield return (perContract, "the per-contract payment cap", JsonValueKind.Number);
        }

        if (manifest.CohortTarget?.TargetShareParameter is { } share)
        {
            yield return (share, "the cohort target share", JsonValueKind.Number);
        }

        if (manifest.CohortTarget?.ExcludedExitReasonsParameter is { } excluded)
        {
            yield return (excluded, "the exit reasons left out of the cohort target", JsonValueKind.Array);
        }
    }

    /// <summary>The value at a dotted parameter path such as <c>caps.perProvider</c>, or null when any step is absent.</summary>
    public static JsonElement? Resolve(JsonElement document, string dottedPath)
    {
        ArgumentNullException.ThrowIfNull(dottedPath);
        var current = document;
        foreach (var part in dottedPath.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }

        return current;
    }
}
