using System.Text;
using System.Text.RegularExpressions;

namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// Compiles a draft-07 <c>pattern</c> (an ECMA-262 regular expression) into a .NET <see cref="Regex"/> that matches the
/// same strings, or says why it cannot. .NET's ECMAScript mode already gives \d and \w their ASCII meaning; what it gets
/// wrong is \s (ASCII-only there, Unicode whitespace in ECMA-262), so \s and \S are spelled out. Constructs whose
/// meaning differs and cannot be rewritten simply are refused rather than run with different semantics.
/// Likewise <c>$</c> and <c>.</c>, whose .NET meaning differs around line terminators, are rewritten.
/// </summary>
internal static class EcmaPattern
{
    // ECMA-262 WhiteSpace and LineTerminator code points, the set \s matches in JavaScript.
    private const string Whitespace = @"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";

    public static Regex Compile(string source, TimeSpan timeout)
    {
        var translated = new StringBuilder(source.Length + 16);
        var inClass = false;
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            if (char.IsSurrogate(c))
            {
                // ECMA-262 without the u flag sees a surrogate pair as two characters, with it as one; the suite and
                // authors expect the latter and .NET offers only the former.
                throw new ArgumentException("characters outside the Basic Multilingual Plane are not supported in patterns");
            }

            if (c == '\\' && i + 1 < source.Length)
            {
                var next = source[++i];
                switch (next)
                {
                    case 's':
                        translated.Append(inClass ? Whitespace : "[" + Whitespace + "]");
                        break;
                    case 'S' when !inClass:
                        translated.Append("[^" + Whitespace + "]");
                        break;
                    case 'S':
                        throw new ArgumentException(@"\S inside a character class is not supported");
                    case 'p' or 'P':
                        // Without the u flag ECMA-262 reads \p{L} as the letters "p{L}"; .NET reads a Unicode category.
                        // Category names .NET does not know were refused by accident; those it knows ran with another meaning.
                        throw new ArgumentException(@"\p and \P (Unicode categories) mean a literal 'p' or 'P' in ECMA-262 without the u flag and are not supported");
                    default:
                        translated.Append(c).Append(next);
                        break;
                }

                continue;
            }

            if (!inClass && c == '$')
            {
                // .NET's $ also matches before a final "\n", so "123456\n" would pass "^[0-9]{6}$"; ECMA-262's does not.
                translated.Append(@"(?!\n)$");
                continue;
            }

            if (!inClass && c == '.')
            {
                // ECMA-262's dot excludes all four line terminators, .NET's only "\n".
                translated.Append(@"[^\n\r\u2028\u2029]");
                continue;
            }

            if (!inClass && c == '[')
            {
                // "[]" matches nothing and "[^]" anything in ECMA-262; .NET reads the ']' as a literal instead.
                if (source.AsSpan(i).StartsWith("[]") || source.AsSpan(i).StartsWith("[^]"))
                    throw new ArgumentException("empty character classes [] and [^] are not supported");
                inClass = true;
            }
            else if (inClass && c == ']')
            {
                inClass = false;
            }

            translated.Append(c);
        }

        return new Regex(translated.ToString(), RegexOptions.ECMAScript, timeout);
    }
}
