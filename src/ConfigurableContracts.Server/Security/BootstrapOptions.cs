using ConfigurableContracts.Core.Organisations;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Security;

/// <summary>
/// The first admin key, made on first start when the database holds no key at all. Bound from
/// <c>Security:Bootstrap</c>.
/// </summary>
public sealed class BootstrapOptions
{
    public const string SectionName = "Security:Bootstrap";

    /// <summary>Create the first admin key when there is none. Turn off where keys are provisioned by the CLI.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The platform organisation: the first admin key belongs to it (created if absent), and it is the only
    /// organisation that may hold the admin role (<see cref="PlatformOrganisation"/>).
    /// </summary>
    public string OrganisationId { get; set; } = PlatformOrganisation.DefaultId;

    public string OrganisationName { get; set; } = "Platform";

    /// <summary>Where the key is written (owner-only on Unix); relative paths resolve against the content root.</summary>
    public string KeyFile { get; set; } = "data/bootstrap-admin.key";
}

/// <summary>Reports every bad bootstrap setting at start-up, quoting the value.</summary>
public sealed class BootstrapOptionsValidator : IValidateOptions<BootstrapOptions>
{
    public ValidateOptionsResult Validate(string? name, BootstrapOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (!OrganisationIds.IsValid(options.OrganisationId))
        {
            failures.Add($"{BootstrapOptions.SectionName}:OrganisationId '{options.OrganisationId}' is not lower-case words joined by hyphens (at most {OrganisationIds.MaxLength} characters).");
        }

        if (string.IsNullOrWhiteSpace(options.OrganisationName))
        {
            failures.Add($"{BootstrapOptions.SectionName}:OrganisationName '{options.OrganisationName}' is empty.");
        }

        if (string.IsNullOrWhiteSpace(options.KeyFile))
        {
            failures.Add($"{BootstrapOptions.SectionName}:KeyFile '{options.KeyFile}' is empty; name the file the first admin key is written to.");
        }
        else if (options.KeyFile.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"{BootstrapOptions.SectionName}:KeyFile '{options.KeyFile}' is not a valid path.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
