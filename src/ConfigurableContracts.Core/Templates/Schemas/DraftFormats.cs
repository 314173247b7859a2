namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// The <c>format</c> values the guard enforces, checked by hand rather than with <see cref="DateTime"/> parsing:
/// .NET's parsers accept shapes RFC 3339 does not (single-digit months, missing offsets, non-ASCII digits), and
/// "2022-02-30" must be refused while a leap second at 23:59:60 UTC must not.
/// </summary>
internal static class DraftFormats
{
    public const string Date = "date";
    public const string DateTime = "date-time";

    public static bool IsSupported(string format) => format is Date or DateTime;

    /// <summary>RFC 3339 full-date: YYYY-MM-DD with a day that exists in that month.</summary>
    public static bool IsDate(ReadOnlySpan<char> text)
    {
        return text.Length == 10 && text[4] == '-' && text[7] == '-'
            && TryDigits(text[..4], out var year)
            && TryDigits(text.Slice(5, 2), out var month)
            && TryDigits(text.Slice(8, 2), out var day)
            && IsValidDay(year, month, day);
    }

    /// <summary>RFC 3339 date-time: full-date "T" HH:MM:SS[.frac] (Z | ±HH:MM), case-insensitive T and Z.</summary>
    public static bool IsDateTime(ReadOnlySpan<char> text)
    {
        if (text.Length < 20 || !IsDate(text[..10]) || (text[10] | 0x20) != 't')
            return false;
        var time = text[11..];
        if (time.Length < 9 || time[2] != ':' || time[5] != ':'
            || !TryDigits(time[..2], out var hour) || !TryDigits(time.Slice(3, 2), out var minute)
            || !TryDigits(time.Slice(6, 2), out var second)
            || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        var rest = time[8..];
        if (rest.Length > 0 && rest[0] == '.')
        {
            var digits = 1;
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
                digits++;
            if (digits == 1)
                return false;
            rest = rest[digits..];
        }

        int offsetMinutes;
        if (rest.Length == 1 && (rest[0] | 0x20) == 'z')
        {
            offsetMinutes = 0;
        }
        else if (rest.Length == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':'
            && TryDigits(rest.Slice(1, 2), out var offsetHour) && TryDigits(rest.Slice(4, 2), out var offsetMinute)
            && offsetHour <= 23 && offsetMinute <= 59)
        {
            offsetMinutes = (rest[0] == '-' ? -1 : 1) * ((offsetHour * 60) + offsetMinute);
        }
        else
        {
            return false;
        }

        if (second < 60)
            return true;

        // A leap second can only be the last second of a UTC day: 23:59:60 once the offset is taken away.
        var utcMinuteOfDay = ((((hour * 60) + minute - offsetMinutes) % 1440) + 1440) % 1440;
        return utcMinuteOfDay == (23 * 60) + 59;
    }

    private static bool IsValidDay(int year, int month, int day)
    {
        // Year 0000 is valid in RFC 3339; it is a leap year like 2000 in the proleptic Gregorian calendar.
        return month is >= 1 and <= 12 && day >= 1 && day <= System.DateTime.DaysInMonth(year == 0 ? 2000 : year, month);
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
                return false;
            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
