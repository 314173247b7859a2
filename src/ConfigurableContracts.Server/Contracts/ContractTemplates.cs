using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Server.Contracts;

/// <summary>Finds the loaded template version a stored contract's documents are validated against.</summary>
public static class ContractTemplates
{
    /// <summary>
    /// The loaded version with the contract's exact bundle when the catalog still has it; otherwise the loaded
    /// files of the same version number (edited in place since). The contract itself stays pinned to its bundle,
    /// which is stored, for evaluation. Null when the template version is not loaded at all.
    /// </summary>
    public static TemplateVersion? For(TemplateCatalog catalog, Contract contract)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(contract);
        return catalog.VersionsOf(contract.TemplateId).FirstOrDefault(v => v.BundleHash == contract.BundleHash)
            ?? (catalog.TryGet(contract.TemplateId, contract.TemplateVersion, out var sameNumber) ? sameNumber : null);
    }
}
