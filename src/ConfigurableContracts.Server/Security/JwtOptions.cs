using ConfigurableContracts.Core.Security;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ConfigurableContracts.Server.Security;

/// <summary>
/// Sign-in with bearer tokens from the municipality's identity provider (OpenID Connect), beside API keys. Off by
/// default. Bound from <c>Authentication:Jwt</c>. A token names its organisation and role in claims; a token whose
/// organisation is unknown or which carries none of our roles is refused, never given a default.
/// </summary>
public sealed class JwtOptions
{
    public const string SectionName = "Authentication:Jwt";

    public bool Enabled { get; set; }

    /// <summary>The issuer's base address; its <c>/.well-known/openid-configuration</c> names the signing keys.</summary>
    public string? Authority { get; set; }

    /// <summary>The discovery document's address, when it is not under <see cref="Authority"/>.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>The expected <c>iss</c>; required with <see cref="JwksFile"/>, otherwise taken from discovery.</summary>
    public string? Issuer { get; set; }

    /// <summary>The expected <c>aud</c>: this API's identifier at the identity provider.</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// A JSON Web Key Set file with the issuer's public keys, for servers that may not reach the identity provider;
    /// used instead of discovery. Relative paths resolve against the content root.
    /// </summary>
    public string? JwksFile { get; set; }

    /// <summary>Discovery over plain HTTP is refused unless this is turned off (a test identity provider only).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The claim holding the subject recorded as who acted.</summary>
    public string SubjectClaim { get; set; } = "sub";

    /// <summary>The claim holding the organisation id, exactly as in <c>/api/organisations</c>.</summary>
    public string OrganisationClaim { get; set; } = "organisation";

    /// <summary>The claim holding the role or roles (a string or an array).</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>
    /// The identity provider's role values and the role each stands for here, e.g. <c>"Kommun.Revisor": "auditor"</c>.
    /// Empty: the values must be our role names themselves. Values not listed are ignored; a token must end with exactly one role.
    /// </summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How far the token's clock may differ from ours.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The role a token's role values stand for, or null when none of them is ours.</summary>
    public IReadOnlyList<string> MapRoles(IEnumerable<string> values) =>
        values.Select(v => RoleMap.Count == 0 ? (Roles.IsKnown(v) ? v : null) : RoleMap.GetValueOrDefault(v))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
}

/// <summary>Reports every bad bearer-token setting at start-up, quoting the value.</summary>
public sealed class JwtOptionsValidator(IHostEnvironment environment) : IValidateOptions<JwtOptions>
{
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        const string section = JwtOptions.SectionName;
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add($"{section}:Audience '{options.Audience}' is empty; name this API as the identity provider knows it.");
        }

        CheckAddress(failures, options, "Authority", options.Authority);
        CheckAddress(failures, options, "MetadataAddress", options.MetadataAddress);
        if (string.IsNullOrWhiteSpace(options.Authority) && string.IsNullOrWhiteSpace(options.MetadataAddress) && string.IsNullOrWhiteSpace(options.JwksFile))
        {
            failures.Add($"{section}: set Authority or MetadataAddress (discovery), or JwksFile (offline keys), so tokens can be checked.");
        }

        if (!string.IsNullOrWhiteSpace(options.JwksFile))
        {
            if (JwksError(ResolveJwksPath(options.JwksFile, environment.ContentRootPath)) is { } error)
            {
                failures.Add($"{section}:JwksFile '{options.JwksFile}' {error}.");
            }

            if (string.IsNullOrWhiteSpace(options.Issuer))
            {
                failures.Add($"{section}:Issuer '{options.Issuer}' is empty; with JwksFile there is no discovery to learn it from.");
            }
        }

        foreach (var (claim, value) in new[] { ("SubjectClaim", options.SubjectClaim), ("OrganisationClaim", options.OrganisationClaim), ("RoleClaim", options.RoleClaim) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"{section}:{claim} '{value}' is empty; name the claim the identity provider puts it in.");
            }
        }

        foreach (var (from, to) in options.RoleMap)
        {
            if (!Roles.IsKnown(to))
            {
                failures.Add($"{section}:RoleMap:{from} '{to}' is not a role; use one of {string.Join(", ", Roles.All)}.");
            }
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > MaxClockSkew)
        {
            failures.Add($"{section}:ClockSkew '{options.ClockSkew}' is outside 00:00:00 to {MaxClockSkew}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static string ResolveJwksPath(string path, string contentRoot) => Path.GetFullPath(Path.Combine(contentRoot, path));

    /// <summary>The signing keys of a JWKS file; throws when there are none.</summary>
    internal static IList<SecurityKey> ReadSigningKeys(string path)
    {
        var keys = new JsonWebKeySet(File.ReadAllText(path)).GetSigningKeys();
        return keys.Count > 0 ? keys : throw new InvalidOperationException($"'{path}' holds no signing key.");
    }

    private static void CheckAddress(List<string> failures, JwtOptions options, string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{JwtOptions.SectionName}:{key} '{value}' is not an absolute http(s) address.");
        }
        else if (uri.Scheme != Uri.UriSchemeHttps && options.RequireHttpsMetadata)
        {
            failures.Add($"{JwtOptions.SectionName}:{key} '{value}' is not https; keys fetched in the clear can be swapped (RequireHttpsMetadata=false only for a test identity provider).");
        }
    }

    private static string? JwksError(string path)
    {
        if (!File.Exists(path))
        {
            return $"does not exist (looked at '{path}')";
        }

        try
        {
            ReadSigningKeys(path);
            return null;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or System.Text.Json.JsonException or IOException)
        {
            return $"is not a JSON Web Key Set with a signing key ({exception.Message})";
        }
    }
}
