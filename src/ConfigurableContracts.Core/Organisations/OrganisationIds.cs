using System.Text.RegularExpressions;

namespace ConfigurableContracts.Core.Organisations;

/// <summary>
/// Organisation ids are lower-case words joined by hyphens (<c>forening-exempel-1</c>), the same shape the
/// templates use for <c>providers[].id</c>, so a contract's parameters can name organisations directly.
/// </summary>
public static partial class OrganisationIds
{
    public const int MaxLength = 64;

    public static bool IsValid(string? id) => id is { Length: > 0 and <= MaxLength } && Shape().IsMatch(id);

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
