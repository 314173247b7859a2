using System.Globalization;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;

namespace ConfigurableContracts.Server.Tests.Hostile;

/// <summary>One hostile request body: its bytes, the content type it is sent with, and what kind of attack it is.</summary>
/// <param name="Kind">Which generator made it, for the tally in the test output.</param>
/// <param name="Identity">The personal identity number hidden in it, if any: the answer must never repeat it.</param>
public sealed record HostileBody(string Kind, byte[] Bytes, string? ContentType, string? Identity)
{
    public override string ToString() =>
        $"{Kind} ({Bytes.Length} bytes, {ContentType ?? "no content type"}): {Encoding.UTF8.GetString(Bytes.AsSpan(0, Math.Min(Bytes.Length, 300)))}";
}

/// <summary>
/// FsCheck generators of bodies a careless or hostile client sends: nesting far past any limit, huge strings and
/// numbers, wrong types in the fields the endpoints read, bytes that are not UTF-8, duplicate keys, personal
/// identity numbers anywhere (values, numbers, property names), random and truncated JSON, wrong content types,
/// and JSON Lines mixing all of these.
/// </summary>
public static class HostileBodies
{
    /// <summary>Every field name any write endpoint reads, so wrong-type bodies reach the checks behind parsing.</summary>
    private static readonly string[] FieldNames =
    [
        "pseudonym", "enrolmentDate", "schoolYear", "notes", "point", "date", "score", "providerId", "templateId", "templateVersion",
        "parameters", "title", "commissioner", "providers", "id", "name", "price", "targetShare", "status", "note", "role", "label",
    ];

    /// <summary>Valid check digits (Luhn) in the forms people write them: the intake must refuse each and never repeat it.</summary>
    private static readonly string[] Identities =
    [
        "121212-1212", "19121212-1212", "191212121212", "8112189876", "811218-9876", "20081218+9876", "640823-3234", "199001012385",
    ];

    private const string JsonType = "application/json";
    private const string JsonLinesType = "application/x-ndjson";

    /// <summary>A body for an endpoint that takes one JSON document.</summary>
    public static Gen<HostileBody> ForJsonEndpoint(string realPseudonym) =>
        Gen.Frequency(
            (3, Documents(realPseudonym).Select(d => d with { ContentType = JsonType })),
            (1, WrongContentType(realPseudonym)));

    /// <summary>A body for a JSON Lines bulk endpoint: many lines, each hostile in its own way.</summary>
    public static Gen<HostileBody> ForBulkEndpoint(string realPseudonym) =>
        Gen.Frequency(
            (4, JsonLines(realPseudonym)),
            (1, Documents(realPseudonym).Select(d => d with { ContentType = JsonLinesType })),
            (1, WrongContentType(realPseudonym)));

    private static Gen<HostileBody> Documents(string realPseudonym) =>
        Gen.Frequency(
            (2, DeepNesting()),
            (2, HugeStrings()),
            (4, WrongTypes(realPseudonym)),
            (2, BadUtf8(realPseudonym)),
            (2, DuplicateKeys(realPseudonym)),
            (3, IdentityNumbers(realPseudonym)),
            (3, RandomJson()),
            (2, Truncated(realPseudonym)));

    private static Gen<HostileBody> DeepNesting() =>
        from depth in Gen.Frequency((4, Gen.Choose(20, 200)), (2, Gen.Choose(200, 5_000)), (1, Gen.Choose(50_000, 100_000)))
        from shape in Gen.Elements("array", "object", "mixed", "unclosed")
        select Body("deep nesting", shape switch
        {
            "array" => new string('[', depth) + new string(']', depth),
            "object" => Repeat("{\"a\":", depth) + "1" + new string('}', depth),
            "mixed" => Repeat("{\"pseudonym\":[", depth) + "null" + Repeat("]}", depth),
            _ => Repeat("[{\"notes\":", depth),
        });

    private static Gen<HostileBody> HugeStrings() =>
        from length in Gen.Frequency((5, Gen.Choose(1_000, 30_000)), (2, Gen.Choose(60_000, 80_000)))
        from field in Gen.Elements(FieldNames)
        from filler in Gen.Elements("x", "\\u0000", "é", "\\\"", "🙂", "\\ud800")
        from form in Gen.Elements("string", "number", "key")
        select Body("huge strings", form switch
        {
            "string" => $"{{\"{field}\":\"{Repeat(filler, length / filler.Length)}\"}}",
            "number" => $"{{\"{field}\":{Repeat("9", length)}e999999}}",
            _ => $"{{\"{Repeat("k", length)}\":1}}",
        });

    private static Gen<HostileBody> WrongTypes(string realPseudonym) =>
        from fields in Gen.SubListOf(FieldNames)
        from values in Gen.ArrayOf(Value(realPseudonym), fields.Count)
        select Body("wrong types", "{" + string.Join(",", fields.Select((f, i) => $"\"{f}\":{values[i]}")) + "}");

    private static Gen<HostileBody> BadUtf8(string realPseudonym) =>
        from bad in Gen.Elements<byte[]>([0xC3, 0x28], [0xFF], [0xFE, 0xFF], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0x80])
        from field in Gen.Elements(FieldNames)
        select new HostileBody("bad UTF-8",
            [.. Encoding.UTF8.GetBytes($"{{\"pseudonym\":\"{realPseudonym}\",\"{field}\":\"a"), .. bad, .. Encoding.UTF8.GetBytes("b\"}")], null, null);

    private static Gen<HostileBody> DuplicateKeys(string realPseudonym) =>
        from field in Gen.Elements(FieldNames)
        from first in Value(realPseudonym)
        from second in Value(realPseudonym)
        from nested in Gen.Elements(false, true)
        select Body("duplicate keys", nested
            ? $"{{\"parameters\":{{\"{field}\":{first},\"{field}\":{second}}}}}"
            : $"{{\"pseudonym\":\"{realPseudonym}\",\"{field}\":{first},\"{field}\":{second},\"date\":\"2022-01-15\"}}");

    private static Gen<HostileBody> IdentityNumbers(string realPseudonym) =>
        from identity in Gen.Elements(Identities)
        from field in Gen.Elements(FieldNames)
        from place in Gen.Elements("value", "in text", "number", "key", "nested", "array")
        select new HostileBody("personal identity numbers", Encoding.UTF8.GetBytes(place switch
        {
            "value" => $"{{\"pseudonym\":\"{realPseudonym}\",\"{field}\":\"{identity}\",\"point\":\"baseline\",\"date\":\"2022-01-15\",\"enrolmentDate\":\"2022-01-10\",\"schoolYear\":7,\"score\":3}}",
            "in text" => $"{{\"pseudonym\":\"{realPseudonym}\",\"enrolmentDate\":\"2022-01-10\",\"schoolYear\":7,\"{field}\":\"born {identity}, see file\"}}",
            "number" => $"{{\"{field}\":{identity.Replace("-", "", StringComparison.Ordinal).Replace("+", "", StringComparison.Ordinal)}}}",
            "key" => $"{{\"pseudonym\":\"{realPseudonym}\",\"{identity}\":true,\"enrolmentDate\":\"2022-01-10\",\"schoolYear\":7}}",
            "nested" => $"{{\"parameters\":{{\"providers\":[{{\"id\":\"{identity}\",\"name\":\"{identity}\",\"price\":1}}]}},\"{field}\":{{\"{field}\":\"{identity}\"}}}}",
            _ => $"[\"{identity}\"]",
        }), null, identity);

    private static Gen<HostileBody> RandomJson() =>
        Gen.Sized(size => Json(Math.Min(size, 40))).Select(json => Body("random JSON", json));

    private static Gen<HostileBody> Truncated(string realPseudonym) =>
        from whole in WrongTypes(realPseudonym)
        from cut in Gen.Choose(0, Math.Max(0, whole.Bytes.Length - 1))
        select whole with { Kind = "truncated JSON", Bytes = whole.Bytes[..cut] };

    private static Gen<HostileBody> WrongContentType(string realPseudonym) =>
        from document in WrongTypes(realPseudonym)
        from type in Gen.Elements<string?>(null, "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
            "application/json; charset=utf-16", "application/octet-stream", "application/jsonx", JsonType, JsonLinesType, "*/*", "application/json, text/plain")
        select document with { Kind = "wrong content type", ContentType = type };

    private static Gen<HostileBody> JsonLines(string realPseudonym) =>
        from lines in Gen.NonEmptyListOf(Gen.Frequency(
            (6, Documents(realPseudonym)),
            (1, Gen.Constant(Body("blank", "   ")))))
        from separator in Gen.Elements("\n", "\r\n", "\n\n", "\r")
        select new HostileBody(
            "JSON Lines with bad lines",
            [.. lines.SelectMany(l => l.Bytes.Concat(Encoding.UTF8.GetBytes(separator)))],
            JsonLinesType,
            lines.Select(l => l.Identity).FirstOrDefault(i => i is not null));

    /// <summary>A JSON value for a field: the right type now and then, mostly the wrong one.</summary>
    private static Gen<string> Value(string realPseudonym) =>
        Gen.Elements(
            "null", "true", "false", "0", "-1", "7", "1e308", "-1e309", "0.1", "1.7976931348623157e309", "123456789012345678901234567890",
            "\"\"", "\" \"", "\"2022-01-15\"", "\"2022-02-30\"", "\"9999-12-31\"", "\"0001-01-01\"", "\"2022-1-5\"", "\"baseline\"", "\"followUp3\"",
            "\"approved\"", "\"disputed\"", "\"provider\"", "\"admin\"", "\"youth-test\"", "\"1.0.0\"", $"\"{realPseudonym}\"", $"\" {realPseudonym}\"",
            "\"\\u0000\"", "\"\\ud800\"", "\"<script>alert(1)</script>\"", "\"'; DROP TABLE participants; --\"", "\"../../etc/passwd\"",
            "[]", "[1,2,3]", "{}", "{\"id\":1}", "[null]", "{\"pseudonym\":{}}");

    private static Gen<string> Json(int size) =>
        size <= 1
            ? Scalar()
            : Gen.Frequency(
                (3, Scalar()),
                (2, Gen.ListOf(Json(size / 2), Math.Min(size, 6)).Select(items => "[" + string.Join(",", items) + "]")),
                (2, Gen.ListOf(Gen.Zip(Key(), Json(size / 2)), Math.Min(size, 6))
                    .Select(members => "{" + string.Join(",", members.Select(m => $"{m.Item1}:{m.Item2}")) + "}")));

    private static Gen<string> Scalar() =>
        Gen.OneOf(
            Gen.Elements("null", "true", "false", "-0", "1e400", "\"\""),
            Gen.Choose(int.MinValue, int.MaxValue).Select(i => i.ToString(CultureInfo.InvariantCulture)),
            Key());

    private static Gen<string> Key() =>
        Gen.OneOf(
            Gen.Elements(FieldNames).Select(f => $"\"{f}\""),
            Gen.ArrayOf(Gen.Choose(1, 0xD7FF).Select(c => (char)c), 6).Select(chars => JsonSerializer.Serialize(new string(chars))));

    private static HostileBody Body(string kind, string text) => new(kind, Encoding.UTF8.GetBytes(text), null, null);

    private static string Repeat(string text, int count) => new StringBuilder(text.Length * count).Insert(0, text, count).ToString();
}
