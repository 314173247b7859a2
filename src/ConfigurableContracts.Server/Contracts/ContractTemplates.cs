using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Server.Contracts;

/// <summary>Finds the template version a stored contract's documents are validated against: exactly its pinned bundle.</summary>
public static class ContractTemplates
{
    /// <summary>
    /// The version with the contract's exact bundle hash: from the catalog while those files are loaded, otherwise
    /// from the bundle stored when the contract was created — never other files that happen to carry the same version
    /// number. Null only when the stored bundle cannot be loaded.
    /// </summary>
    public static async Task<TemplateVersion?> ForAsync(BundleTemplates bundles, Contract contract, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundles);
        ArgumentNullException.ThrowIfNull(contract);
        try
        {
            return await bundles.GetAsync(contract.BundleHash, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
