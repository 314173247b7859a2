namespace ConfigurableContracts.Server.Csv;

/// <summary>
/// CSV answers, decided and written one way: whether a request asks for CSV, the content type, and the field
/// quoting every CSV export uses, so the audit log and payment statements open alike in any spreadsheet.
/// </summary>
public static class CsvDownload
{
    public const string MediaType = "text/csv";

    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>
    /// <c>format=csv</c> (any case) asks for CSV. Without a <c>format</c>, an <c>Accept</c> naming <c>text/csv</c> does
    /// too where the endpoint lets it (<paramref name="acceptMayAsk"/>): the audit log does; payment statements have
    /// only ever answered CSV to <c>format=csv</c>, and keep doing so.
    /// </summary>
    public static bool IsRequested(HttpRequest request, string? format, bool acceptMayAsk)
    {
        ArgumentNullException.ThrowIfNull(request);
        return string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)
            || (acceptMayAsk && format is null
                && request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>An RFC 4180 field, with a leading formula character defused so a spreadsheet shows it as text.</summary>
    public static string Field(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.AsSpan().IndexOfAny(",\"\r\n") >= 0 || field.StartsWith('=') || field.StartsWith('+') || field.StartsWith('-') || field.StartsWith('@')
            ? "\"" + (field.StartsWith('=') || field.StartsWith('+') || field.StartsWith('@') ? "'" : "") + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : field;
    }
}
