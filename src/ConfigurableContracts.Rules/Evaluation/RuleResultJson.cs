using System.Globalization;
using System.Text.Json;

namespace ConfigurableContracts.Rules.Evaluation;

/// <summary>
/// Writes result trees as the JSON that <c>contracts eval</c> prints and test failures show:
/// <c>{"ruleName", "isSuccess", "status", "exceptionMessage", "reason", "actionOutput", "childResults"}</c>.
/// </summary>
public static class RuleResultJson
{
    public static void WriteResults(Utf8JsonWriter writer, IEnumerable<RuleResultTree> results)
    {
        writer.WriteStartArray();
        foreach (var result in results) WriteResult(writer, result);
        writer.WriteEndArray();
    }

    public static void WriteResult(Utf8JsonWriter writer, RuleResultTree result)
    {
        writer.WriteStartObject();
        writer.WriteString("ruleName", result.RuleName);
        writer.WriteBoolean("isSuccess", result.IsSuccess);
        writer.WriteString("status", result.Status.ToString());
        writer.WriteString("exceptionMessage", result.ExceptionMessage);
        if (result.Reason is not null) writer.WriteString("reason", result.Reason);
        writer.WritePropertyName("actionOutput");
        WriteValue(writer, result.ActionOutput);
        writer.WritePropertyName("childResults");
        if (result.ChildResults is null) writer.WriteNullValue();
        else WriteResults(writer, result.ChildResults);
        writer.WriteEndObject();
    }

    /// <summary>Writes a value of the engine's value model as JSON (dates as yyyy-MM-dd, instants as RFC 3339 UTC).</summary>
    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case decimal d:
                writer.WriteNumberValue(d);
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case DateTime { Kind: DateTimeKind.Utc } instant:
                writer.WriteStringValue(instant.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                break;
            case DateTime date:
                writer.WriteStringValue(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                break;
            case TimeSpan span:
                writer.WriteStringValue(span.ToString("c", CultureInfo.InvariantCulture));
                break;
            case IReadOnlyDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item);
                }
                writer.WriteEndObject();
                break;
            case IReadOnlyList<object?> list:
                writer.WriteStartArray();
                foreach (var item in list) WriteValue(writer, item);
                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>Indented JSON text of <paramref name="results"/>, for messages and files.</summary>
    public static string ToJson(IEnumerable<RuleResultTree> results)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            WriteResults(writer, results);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
