using System.Globalization;
using System.Text;

namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// The location currently being validated, kept as a stack of segments so that descending into a document costs no
/// allocation; the path string is only built when an error is reported.
/// </summary>
internal sealed class InstancePath
{
    private readonly List<(string? Name, int Index)> _segments = new(16);

    public void Push(string name) => _segments.Add((name, -1));

    public void Push(int index) => _segments.Add((null, index));

    public void Pop() => _segments.RemoveAt(_segments.Count - 1);

    public void Clear() => _segments.Clear();

    public string Render(string? extraProperty = null)
    {
        var builder = new StringBuilder("$");
        foreach (var (name, index) in _segments)
        {
            if (name is null)
                builder.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
            else
                AppendProperty(builder, name);
        }

        if (extraProperty is not null)
            AppendProperty(builder, extraProperty);
        return builder.ToString();
    }

    private static void AppendProperty(StringBuilder builder, string name)
    {
        if (IsPlainName(name))
        {
            builder.Append('.').Append(name);
            return;
        }

        // Names that would be ambiguous after a dot are written in bracket form, as JSONPath tools read them.
        builder.Append("['");
        foreach (var c in name)
        {
            if (c is '\'' or '\\')
                builder.Append('\\');
            builder.Append(c);
        }

        builder.Append("']");
    }

    private static bool IsPlainName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
            return false;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '$')
                return false;
        }

        return true;
    }
}
