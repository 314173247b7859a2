using System.Globalization;
using System.Text;
using System.Text.Json;
using ConfigurableContracts.Core.Json;

namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// The location currently being validated, kept as a stack of segments so that descending into a document costs no
/// allocation; the path string is only built when an error is reported.
/// </summary>
internal sealed class InstancePath
{
    private readonly List<Segment> _segments = new(16);

    public void Push(string name) => _segments.Add(new Segment(name, default, -1));

    /// <summary>Keeps the property itself, so that its name is only decoded into a string if an error is reported.</summary>
    public void Push(JsonProperty property) => _segments.Add(new Segment(null, property, -1));

    public void Push(int index) => _segments.Add(new Segment(null, default, index));

    public void Pop() => _segments.RemoveAt(_segments.Count - 1);

    public void Clear() => _segments.Clear();

    public string Render(string? extraProperty = null)
    {
        var builder = new StringBuilder("$");
        foreach (var segment in _segments)
        {
            if (segment.Index >= 0)
                builder.Append('[').Append(segment.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
            else
                AppendProperty(builder, segment.Name ?? segment.Property.Name);
        }

        if (extraProperty is not null)
            AppendProperty(builder, extraProperty);
        return builder.ToString();
    }

    /// <summary>
    /// Splits a path as <see cref="Render"/> writes it, such as <c>$.workflows[0]['odd name'].file</c>, back into its
    /// property names and indexes, undoing the escapes of bracketed names.
    /// </summary>
    public static IReadOnlyList<string> Parse(string path)
    {
        var segments = new List<string>();
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = i + 1;
                while (end < path.Length && path[end] is not ('.' or '['))
                {
                    end++;
                }

                segments.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var name = new StringBuilder();
                var j = i + 2;
                for (; j < path.Length && path[j] != '\''; j++)
                {
                    if (path[j] != '\\' || j + 1 >= path.Length)
                    {
                        name.Append(path[j]);
                    }
                    else if (OneLineText.TryReadEscape(path, j + 1, out var escaped, out var length))
                    {
                        name.Append(escaped);
                        j += length;
                    }
                    else
                    {
                        name.Append(path[++j]);
                    }
                }

                segments.Add(name.ToString());
                i = j + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                segments.Add(path[(i + 1)..end]);
                i = end + 1;
            }
            else
            {
                i++;
            }
        }

        return segments;
    }

    // The one way a property is written into a path, masking included (Intake.JsonPath); only error paths pay for it.
    private static void AppendProperty(StringBuilder builder, string name) => builder.Append(Intake.JsonPath.Property("", name));

    private readonly record struct Segment(string? Name, JsonProperty Property, int Index);
}
