using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Core.Intake;

/// <summary>
/// Finds values that look like a Swedish personal identity number (personnummer) or co-ordination number
/// (samordningsnummer) anywhere in a JSON document, so a record that would identify a child is refused before it
/// is stored. Records must be pseudonymised; a provider pasting the real number into a free-text field is the
/// mistake this catches.
/// </summary>
/// <remarks>
/// A candidate is ten or twelve digits not touching other digits: <c>YYMMDDNNNN</c> or <c>YYYYMMDDNNNN</c>, with an
/// optional <c>-</c>, <c>+</c> or single space before the last four (people type <c>121212 1212</c> in free text). It counts only when the date part is a real calendar date
/// (day + 60 for a co-ordination number, century 18–20 when written) and the last digit is the Luhn check digit of
/// the ten-digit form. A date alone (<c>20220115</c>, <c>2022-01-15</c>) never matches: it lacks the four-digit
/// serial. Organisation numbers never match either (their month digits are 20 or more). Ten-digit phone numbers
/// can, about one in ten of those whose first six digits read as a date; refusing those is the safe side.
/// </remarks>
public static partial class PersonalIdentityNumbers
{
    /// <summary>True when <paramref name="text"/> contains a valid-looking personal identity number.</summary>
    public static bool Contains(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!HasTenDigits(text))
        {
            return false;
        }

        try
        {
            foreach (Match match in Candidate().Matches(text))
            {
                if (IsValid(match.Groups["date"].ValueSpan, match.Groups["serial"].ValueSpan))
                {
                    return true;
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // A value the scan cannot finish in time (the fuzz found a 70 000-digit number on a busy machine) is
            // refused as if it held a number: not knowing must not let one through, nor end in a 500.
            return true;
        }

        return false;
    }

    /// <summary>
    /// <paramref name="text"/> with every personal identity number in it replaced by <paramref name="replacement"/>:
    /// for error answers, which may quote a client's value but must never repeat such a number.
    /// </summary>
    public static string Redact(string text, string replacement)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!HasTenDigits(text))
        {
            return text;
        }

        try
        {
            return Candidate().Replace(text, match => IsValid(match.Groups["date"].ValueSpan, match.Groups["serial"].ValueSpan) ? replacement : match.Value);
        }
        catch (RegexMatchTimeoutException)
        {
            return replacement;
        }
    }

    /// <summary>
    /// The refusal of free text a caller asks us to store (a title, a name, a note, <c>X-Purpose</c>) when it holds
    /// a personal identity number, at <paramref name="path"/> (a JSON path or a header name); null when it holds none.
    /// Stored text is shown to other organisations and kept for years, some of it (the audit log) for ever.
    /// </summary>
    public static DocumentError? RefusalOf(string? text, string path) =>
        text is not null && Contains(text) ? new DocumentError(path, FreeTextMessage) : null;

    internal const string FreeTextMessage =
        "This looks like a Swedish personal identity number (personnummer or samordningsnummer). Free text is stored and shown to others: remove it.";

    /// <summary>
    /// Every place in <paramref name="document"/> — string values, property names and bare numbers — holding a
    /// personal identity number, as errors at JSON paths relative to <paramref name="rootPath"/>.
    /// </summary>
    public static IReadOnlyList<DocumentError> Find(JsonElement document, string rootPath = "$")
    {
        var errors = new List<DocumentError>();
        Walk(document, rootPath, errors);
        return errors;
    }

    internal const string Message =
        "This looks like a Swedish personal identity number (personnummer or samordningsnummer). Records must be pseudonymised: remove it.";

    private static void Walk(JsonElement element, string path, List<DocumentError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var child = JsonPath.Property(path, property.Name);
                    if (Contains(property.Name))
                    {
                        errors.Add(new DocumentError(child, "The property name: " + Message));
                    }

                    Walk(property.Value, child, errors);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, JsonPath.Index(path, index++), errors);
                }

                break;
            case JsonValueKind.String:
                if (Contains(element.GetString()!))
                {
                    errors.Add(new DocumentError(path, Message));
                }

                break;
            case JsonValueKind.Number:
                // 198507099805 as a JSON number is the same number without quotes.
                if (Contains(element.GetRawText()))
                {
                    errors.Add(new DocumentError(path, Message));
                }

                break;
            default:
                break;
        }
    }

    private static bool HasTenDigits(string text)
    {
        var digits = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c) && ++digits >= 10)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsValid(ReadOnlySpan<char> date, ReadOnlySpan<char> serial)
    {
        int? century = null;
        if (date.Length == 8)
        {
            century = Number(date[..2]);
            if (century is < 18 or > 20)
            {
                return false;
            }

            date = date[2..];
        }

        var year = Number(date[..2]);
        var month = Number(date.Slice(2, 2));
        var day = Number(date.Slice(4, 2));
        if (day > 60)
        {
            day -= 60; // co-ordination numbers add 60 to the day of birth
        }

        if (month is < 1 or > 12 || day < 1 || day > DaysIn(century, year, month))
        {
            return false;
        }

        Span<char> tenDigits = stackalloc char[10];
        date.CopyTo(tenDigits);
        serial.CopyTo(tenDigits[6..]);
        return LuhnCheckDigit(tenDigits[..9]) == tenDigits[9] - '0';
    }

    private static int DaysIn(int? century, int year, int month)
    {
        if (month != 2)
        {
            return DateTime.DaysInMonth(2001, month);
        }

        // Without a century, a year divisible by four may be a leap year (2000 was, 1900 was not): give the benefit.
        var leap = century is { } c ? DateTime.IsLeapYear((c * 100) + year) : year % 4 == 0;
        return leap ? 29 : 28;
    }

    /// <summary>The Luhn check digit of nine digits: weights 2,1,2,…, digit sums of the products.</summary>
    internal static int LuhnCheckDigit(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var product = (digits[i] - '0') * (i % 2 == 0 ? 2 : 1);
            sum += product > 9 ? product - 9 : product;
        }

        return (10 - (sum % 10)) % 10;
    }

    private static int Number(ReadOnlySpan<char> digits) => int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(?<![0-9])(?<date>[0-9]{6}|[0-9]{8})[-+ ]?(?<serial>[0-9]{4})(?![0-9])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Candidate();
}
