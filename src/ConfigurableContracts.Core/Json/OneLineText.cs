using System.Globalization;
using System.Text;

namespace ConfigurableContracts.Core.Json;

/// <summary>
/// Writes text that came from a document or a template file so that it stays on one line: every C0 and C1 control
/// character, DEL and the Unicode line and paragraph separators (U+2028, U+2029) become JSON escapes (<c>\n</c>,
/// <c>\t</c>, <c>\u0085</c>, …). A property name holding a newline would otherwise split one error, one diagnostic or
/// one verdict of a line-per-document output across two lines, and a script reading it would pair them wrongly.
/// The one owner of how such a character is shown: JSON paths and the CLI's line output both use it.
/// </summary>
public static class OneLineText
{
    /// <summary>True for a character that must not appear raw in one-line output.</summary>
    public static bool MustEscape(char c) => c < ' ' || c is >= '\u007F' and <= '\u009F' or '\u2028' or '\u2029';

    /// <summary><paramref name="text"/> with every character <see cref="MustEscape"/> names written as a JSON escape; other text unchanged.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.AsSpan().ContainsAnyInRange('\0', '\u001F') && !text.AsSpan().ContainsAnyInRange('\u007F', '\u009F')
            && !text.AsSpan().ContainsAny('\u2028', '\u2029'))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            Append(builder, c);
        }

        return builder.ToString();
    }

    /// <summary>Appends <paramref name="c"/>, escaped when <see cref="MustEscape"/> says so.</summary>
    public static void Append(StringBuilder builder, char c)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!MustEscape(c))
        {
            builder.Append(c);
            return;
        }

        builder.Append(c switch
        {
            '\b' => @"\b",
            '\f' => @"\f",
            '\n' => @"\n",
            '\r' => @"\r",
            '\t' => @"\t",
            _ => @"\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
        });
    }

    /// <summary>
    /// Reads the escape that starts at <paramref name="text"/>[<paramref name="index"/>] (just after its backslash) as
    /// <see cref="Append"/> writes it; false when it is none of those, so the caller can take the character as it is.
    /// </summary>
    public static bool TryReadEscape(string text, int index, out char c, out int length)
    {
        ArgumentNullException.ThrowIfNull(text);
        c = '\0';
        length = 0;
        if (index >= text.Length)
        {
            return false;
        }

        (c, length) = text[index] switch
        {
            'b' => ('\b', 1),
            'f' => ('\f', 1),
            'n' => ('\n', 1),
            'r' => ('\r', 1),
            't' => ('\t', 1),
            'u' when index + 5 <= text.Length
                && ushort.TryParse(text.AsSpan(index + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) => ((char)code, 5),
            _ => ('\0', 0),
        };
        return length > 0;
    }
}
