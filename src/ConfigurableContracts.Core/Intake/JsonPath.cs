using System.Text;
using ConfigurableContracts.Core.Json;

namespace ConfigurableContracts.Core.Intake;

/// <summary>
/// Builds JSON paths in the form validation errors use (<c>$.providers[2].id</c>, <c>$['odd key']</c>,
/// <c>$['two\nlines']</c>), so every error from our own checks reads like those from the schema; the schema guard's
/// paths are written here too.
/// </summary>
public static class JsonPath
{
    /// <summary>What a path shows instead of a property name that holds a personal identity number.</summary>
    public const string MaskedName = "(personal identity number)";

    /// <summary>
    /// The path of property <paramref name="name"/> under <paramref name="parent"/>. A name holding a personal
    /// identity number is shown as <see cref="MaskedName"/>: paths go into error answers and logs, which must
    /// not repeat the number the check refused.
    /// </summary>
    public static string Property(string parent, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (PersonalIdentityNumbers.Contains(name))
        {
            name = MaskedName;
        }

        if (IsIdentifier(name))
        {
            return parent + "." + name;
        }

        // Quote and backslash are escaped so the name can be read back; control characters and line separators as
        // in JSON, so a path is always one line.
        var bracketed = new StringBuilder(parent, parent.Length + name.Length + 4).Append("['");
        foreach (var c in name)
        {
            if (c is '\'' or '\\')
            {
                bracketed.Append('\\');
            }

            OneLineText.Append(bracketed, c);
        }

        return bracketed.Append("']").ToString();
    }

    public static string Index(string parent, int index) =>
        parent + "[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";

    /// <summary>Re-roots a path reported for a nested document (<c>$.a</c> under <c>$.record</c> is <c>$.record.a</c>).</summary>
    public static string Under(string root, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path == "$" ? root : root + path[1..];
    }

    private static bool IsIdentifier(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] is '_' or '$'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '$'))
            {
                return false;
            }
        }

        return true;
    }
}
