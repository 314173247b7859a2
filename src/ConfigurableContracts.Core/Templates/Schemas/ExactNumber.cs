using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// JSON numbers by their exact value, as draft-07 means them: the text <c>1e-30</c> is not zero and
/// <c>1.00000000000000000000000000001</c> is more than 1. <see cref="JsonElement.TryGetDecimal"/> rounds such numbers
/// silently (to 28 decimal places), so a comparison through it alone lets a document past a limit it breaks; the
/// decimal fast path is taken only when the conversion lost nothing. Found by the differential check against
/// JsonSchema.Net (tests/…/Schemas/GuardDifferentialTests.cs).
/// </summary>
internal static class ExactNumber
{
    /// <summary>Digits a number may carry before its comparison needs a heap buffer; documents never come close.</summary>
    private const int StackDigits = 128;

    /// <summary>Widest gap between two exponents <see cref="IsMultipleOf"/> scales across exactly (10^4000 is ~1.7 KB).</summary>
    private const long MaxScaling = 4000;

    /// <summary>The number as a decimal, only when that decimal is exactly the number written.</summary>
    public static bool TryGetDecimal(JsonElement number, out decimal value)
    {
        if (number.TryGetInt64(out var integer))
        {
            value = integer;
            return true;
        }

        return number.TryGetDecimal(out value) && IsExactly(Raw(number), value);
    }

    /// <summary>True when the number has no fractional part (<c>1.0</c>, <c>1e2</c>), exactly.</summary>
    public static bool IsInteger(JsonElement number)
    {
        if (number.TryGetInt64(out _))
            return true;
        var raw = Raw(number);
        Span<byte> buffer = raw.Length <= StackDigits ? stackalloc byte[StackDigits] : new byte[raw.Length];
        var parts = Decompose(raw, buffer);
        return parts.Digits.IsEmpty || parts.Exponent >= 0;
    }

    /// <summary>The sign of <paramref name="number"/> minus the number written <paramref name="limitText"/>, exactly.</summary>
    public static int Compare(JsonElement number, string limitText)
    {
        var raw = Raw(number);
        Span<byte> left = raw.Length <= StackDigits ? stackalloc byte[StackDigits] : new byte[raw.Length];
        Span<byte> right = limitText.Length <= StackDigits ? stackalloc byte[StackDigits] : new byte[limitText.Length];
        Span<byte> limit = limitText.Length <= StackDigits ? stackalloc byte[StackDigits] : new byte[limitText.Length];
        var written = System.Text.Encoding.ASCII.GetBytes(limitText, limit);
        return Compare(Decompose(raw, left), Decompose(limit[..written], right));
    }

    /// <summary>Whether two JSON numbers have the same value (<c>1</c>, <c>1.0</c> and <c>10e-1</c> do).</summary>
    public static bool Equal(JsonElement x, JsonElement y)
    {
        if (x.TryGetInt64(out var a) && y.TryGetInt64(out var b))
            return a == b;
        var rawX = Raw(x);
        var rawY = Raw(y);
        Span<byte> left = rawX.Length <= StackDigits ? stackalloc byte[StackDigits] : new byte[rawX.Length];
        Span<byte> right = rawY.Length <= StackDigits ? stackalloc byte[StackDigits] : new byte[rawY.Length];
        return Compare(Decompose(rawX, left), Decompose(rawY, right)) == 0;
    }

    /// <summary>A hash that equal values share, however they are written.</summary>
    public static int Hash(JsonElement number)
    {
        var raw = Raw(number);
        Span<byte> buffer = raw.Length <= StackDigits ? stackalloc byte[StackDigits] : new byte[raw.Length];
        var parts = Decompose(raw, buffer);
        var hash = new HashCode();
        hash.Add(parts.Negative && !parts.Digits.IsEmpty); // -0 is 0
        hash.Add(parts.Exponent);
        hash.AddBytes(parts.Digits);
        return hash.ToHashCode();
    }

    /// <summary>
    /// Whether <paramref name="number"/> divided by the positive number written <paramref name="divisorText"/> is an
    /// integer, exactly; null when the two are too far apart in scale to compute so (the caller then approximates).
    /// </summary>
    public static bool? IsMultipleOf(JsonElement number, string divisorText)
    {
        var raw = Raw(number);
        var dividend = Decompose(raw, new byte[raw.Length]);
        var divisorBytes = System.Text.Encoding.ASCII.GetBytes(divisorText);
        var divisor = Decompose(divisorBytes, new byte[divisorBytes.Length]);
        if (dividend.Digits.IsEmpty)
            return true;
        if (divisor.Digits.IsEmpty)
            return false;
        var common = Math.Min(dividend.Exponent, divisor.Exponent);
        if (dividend.Exponent - common > MaxScaling || divisor.Exponent - common > MaxScaling)
            return null;
        var a = Integer(dividend.Digits) * BigInteger.Pow(10, (int)(dividend.Exponent - common));
        var b = Integer(divisor.Digits) * BigInteger.Pow(10, (int)(divisor.Exponent - common));
        return (a % b).IsZero;
    }

    private static ReadOnlySpan<byte> Raw(JsonElement number) => JsonMarshal.GetRawUtf8Value(number);

    private static BigInteger Integer(ReadOnlySpan<byte> digits)
    {
        var value = BigInteger.Zero;
        foreach (var digit in digits)
            value = value * 10 + (digit - '0');
        return value;
    }

    /// <summary>Whether <paramref name="value"/> is exactly the number written <paramref name="raw"/>.</summary>
    private static bool IsExactly(ReadOnlySpan<byte> raw, decimal value)
    {
        Span<byte> buffer = raw.Length <= StackDigits ? stackalloc byte[StackDigits] : new byte[raw.Length];
        var written = Decompose(raw, buffer);

        // A decimal's own digits are at most 29; its text is exact ("0.10", "-1.5E-27" never appear).
        Span<byte> text = stackalloc byte[64];
        value.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
        Span<byte> own = stackalloc byte[64];
        return Compare(written, Decompose(text[..length], own)) == 0;
    }

    private static int Compare(Parts x, Parts y)
    {
        var signX = x.Digits.IsEmpty ? 0 : x.Negative ? -1 : 1;
        var signY = y.Digits.IsEmpty ? 0 : y.Negative ? -1 : 1;
        if (signX != signY || signX == 0)
            return signX.CompareTo(signY);

        // Same sign: the one whose leading digit stands further left is larger in magnitude, then digit by digit.
        var magnitude = (x.Digits.Length + x.Exponent).CompareTo(y.Digits.Length + y.Exponent);
        if (magnitude == 0)
            magnitude = x.Digits.SequenceCompareTo(y.Digits);
        return Math.Sign(magnitude) * signX;
    }

    /// <summary>
    /// Splits valid JSON number text into sign, significant digits (no leading or trailing zeros; none for zero) and
    /// the power of ten they are multiplied by. <paramref name="buffer"/> holds the digits; it is as long as the text.
    /// </summary>
    private static Parts Decompose(ReadOnlySpan<byte> raw, Span<byte> buffer)
    {
        var i = 0;
        var negative = raw[0] == '-';
        if (negative)
            i++;
        var count = 0;
        long fraction = 0;
        var inFraction = false;
        for (; i < raw.Length && raw[i] is not ((byte)'e' or (byte)'E'); i++)
        {
            if (raw[i] == '.')
            {
                inFraction = true;
                continue;
            }

            if (count == 0 && raw[i] == '0')
            {
                // A leading zero carries no value, though after the point it still shifts the rest.
                if (inFraction)
                    fraction++;
                continue;
            }

            buffer[count++] = raw[i];
            if (inFraction)
                fraction++;
        }

        long exponent = 0;
        if (i < raw.Length)
        {
            i++;
            var exponentNegative = raw[i] == '-';
            if (raw[i] is (byte)'-' or (byte)'+')
                i++;
            for (; i < raw.Length; i++)
            {
                // Saturates far beyond any magnitude comparison or scaling that could use it.
                exponent = Math.Min(exponent * 10 + (raw[i] - '0'), long.MaxValue / 16);
            }

            if (exponentNegative)
                exponent = -exponent;
        }

        // Zero has no digits and no scale: 0, 0.00 and 0e5 must decompose (and hash) alike.
        if (count == 0)
            return new Parts(negative, [], 0);

        var digits = buffer[..count];
        var trailing = digits.Length - digits.TrimEnd((byte)'0').Length;
        return new Parts(negative, digits[..(digits.Length - trailing)], exponent - fraction + trailing);
    }

    private readonly ref struct Parts(bool negative, ReadOnlySpan<byte> digits, long exponent)
    {
        public bool Negative { get; } = negative;

        public ReadOnlySpan<byte> Digits { get; } = digits;

        public long Exponent { get; } = exponent;
    }
}
