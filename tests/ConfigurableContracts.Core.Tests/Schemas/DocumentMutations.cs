using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace ConfigurableContracts.Core.Tests.Schemas;

/// <summary>
/// FsCheck generators of documents for one schema: a seed document (valid ones, and the suite's invalid ones) with up to
/// four mutations applied anywhere in it: values replaced, properties removed or added, items removed, repeated or
/// added, numbers moved across the schema's own limits, strings cut, lengthened or swapped for near-dates. Values are
/// drawn mostly from the schema's own literals (property names, enum and const values, limits), so mutated documents
/// land on both sides of each keyword rather than far from every one.
/// </summary>
internal sealed class DocumentMutations
{
    private static readonly string[] StringEdits =
        ["", "x", "0", "-", " ", "\n", "\t", "é", "\u00A0", "\u2028", "🙂", "T00:00:00Z", "Z", ".5"];

    private static readonly string[] NearDates =
    [
        "2024-02-29", "2023-02-29", "2022-13-01", "2022-00-10", "2022-1-01", "2022-01-32", "0000-01-01", "2022-01-01 ",
        "2022-01-01T10:00:00Z", "2022-01-01T10:00:00+01:00", "2022-01-01t10:00:00z", "2022-01-01T23:59:60Z", "2022-01-01T24:00:00Z",
        "2022-01-01T10:00:00.123456789-05:30", "2022-01-01T10:00:00", "2022-01-01T10:00:00+25:00", "١٩٨٥-٠٤-١٢",
    ];

    private static readonly string[] NumberTexts =
    [
        "0", "-0", "1", "-1", "0.5", "1.0", "2.5", "0.01", "1e2", "1E-2", "100", "-100.25", "9007199254740993", "1e30", "-1e30", "1e-30",
        "79228162514264337593543950335", "79228162514264337593543950336",
    ];

    private static readonly decimal[] Deltas = [0m, 1m, -1m, 0.5m, -0.5m, 0.01m, -0.01m, 0.0001m];

    private readonly List<JsonNode?> _seeds;
    private readonly string[] _strings;
    private readonly string[] _numbers;

    public DocumentMutations(IEnumerable<string> seedDocuments, JsonElement schema)
    {
        _seeds = seedDocuments.Select(text => JsonNode.Parse(text)).DefaultIfEmpty(new JsonObject()).ToList();
        var strings = new SortedSet<string>(StringComparer.Ordinal);
        var numbers = new SortedSet<string>(StringComparer.Ordinal);
        Harvest(schema, strings, numbers);
        _strings = [.. strings.DefaultIfEmpty("a")];
        _numbers = [.. numbers.DefaultIfEmpty("0")];
    }

    /// <summary>Documents as JSON text: a seed with zero to four mutations.</summary>
    public Gen<string> Documents() =>
        from seed in Gen.Choose(0, _seeds.Count - 1)
        from mutations in Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Mutation(), n))
        select Apply(seed, mutations);

    private Gen<(int Place, int Kind, int Pick, JsonNode? Value)> Mutation() =>
        from place in Gen.Choose(0, 10_000)
        from kind in Gen.Choose(0, 7)
        from pick in Gen.Choose(0, 10_000)
        from value in Value(2)
        select (place, kind, pick, value);

    private Gen<JsonNode?> Value(int depth)
    {
        var scalars = Gen.Frequency(
            (4, Gen.Elements(_strings).Select(s => (JsonNode?)JsonValue.Create(s))),
            (4, Gen.Elements(_numbers).Select(Number)),
            (2, Gen.Elements(NumberTexts).Select(Number)),
            (2, Gen.Elements(NearDates).Select(s => (JsonNode?)JsonValue.Create(s))),
            (1, Gen.Choose(0, 2).Select(k => k == 0 ? null : (JsonNode?)JsonValue.Create(k == 1))),
            (1, Gen.Choose(-5, 5).Select(i => (JsonNode?)JsonValue.Create(i))));
        if (depth == 0)
            return scalars;
        return Gen.Frequency(
            (8, scalars),
            (1, Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Value(depth - 1), n)).Select(items => (JsonNode?)new JsonArray([.. items]))),
            (1, Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Gen.Zip(Gen.Elements(_strings), Value(depth - 1)), n))
                .Select(pairs => (JsonNode?)Object(pairs))));
    }

    private string Apply(int seed, (int Place, int Kind, int Pick, JsonNode? Value)[] mutations)
    {
        var root = _seeds[seed]?.DeepClone();
        foreach (var (place, kind, pick, value) in mutations)
        {
            var places = Places(root).ToList();
            var (parent, key, index, node) = places[place % places.Count];
            var replacement = Mutate(node, kind, pick, value);
            if (ReferenceEquals(replacement, node))
                continue; // changed in place
            if (parent is null)
                root = replacement;
            else if (parent is JsonObject obj)
                obj[key!] = replacement;
            else
                ((JsonArray)parent)[index] = replacement;
        }

        return root?.ToJsonString() ?? "null";
    }

    private JsonNode? Mutate(JsonNode? node, int kind, int pick, JsonNode? value)
    {
        switch (kind, node)
        {
            case (1, JsonObject { Count: > 0 } obj):
                obj.Remove(obj.ElementAt(pick % obj.Count).Key);
                return obj;
            case (2, JsonObject obj):
                obj[_strings[pick % _strings.Length]] = value?.DeepClone();
                return obj;
            case (3, JsonArray { Count: > 0 } array):
                array.RemoveAt(pick % array.Count);
                return array;
            case (4, JsonArray { Count: > 0 } array):
                array.Add(array[pick % array.Count]?.DeepClone());
                return array;
            case (5, JsonArray array):
                array.Add(value?.DeepClone());
                return array;
            case (3 or 4 or 5, JsonValue number) when number.GetValueKind() == JsonValueKind.Number:
                return decimal.TryParse(number.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    && Moved(d * (kind == 5 ? -1 : 1), Deltas[pick % Deltas.Length]) is { } moved
                        ? JsonValue.Create(moved)
                        : JsonValue.Create(0);
            case (3, JsonValue text) when text.GetValueKind() == JsonValueKind.String:
                var s = text.GetValue<string>();
                return JsonValue.Create(s[..(pick % (s.Length + 1))]);
            case (4 or 5, JsonValue text) when text.GetValueKind() == JsonValueKind.String:
                var edit = StringEdits[pick % StringEdits.Length];
                return JsonValue.Create(kind == 4 ? text.GetValue<string>() + edit : edit + text.GetValue<string>());
            case (6, _):
                return JsonValue.Create(NearDates.Concat(_strings).ElementAt(pick % (NearDates.Length + _strings.Length)));
            default:
                return value?.DeepClone();
        }
    }

    /// <summary>Every value of the document with where it sits: its parent and property name or index (none for the root).</summary>
    private static IEnumerable<(JsonNode? Parent, string? Key, int Index, JsonNode? Node)> Places(JsonNode? root)
    {
        var pending = new Stack<(JsonNode? Parent, string? Key, int Index, JsonNode? Node)>();
        pending.Push((null, null, -1, root));
        while (pending.Count > 0)
        {
            var place = pending.Pop();
            yield return place;
            if (place.Node is JsonObject obj)
            {
                foreach (var (name, child) in obj.ToList())
                    pending.Push((obj, name, -1, child));
            }
            else if (place.Node is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                    pending.Push((array, null, i, array[i]));
            }
        }
    }

    /// <summary>Every string, property name and number of the schema, and the numbers just around each number.</summary>
    private static void Harvest(JsonElement element, SortedSet<string> strings, SortedSet<string> numbers)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    strings.Add(property.Name);
                    Harvest(property.Value, strings, numbers);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    Harvest(item, strings, numbers);
                break;
            case JsonValueKind.String:
                strings.Add(element.GetString()!);
                break;
            case JsonValueKind.Number:
                numbers.Add(element.GetRawText());
                if (element.TryGetDecimal(out var n))
                {
                    foreach (var delta in Deltas)
                    {
                        if (Moved(n, delta) is { } moved)
                            numbers.Add(moved.ToString(CultureInfo.InvariantCulture));
                    }
                }

                break;
        }
    }

    private static JsonNode? Number(string text) => JsonNode.Parse(text);

    /// <summary><paramref name="value"/> plus <paramref name="delta"/>, or null at the edge of decimal's range.</summary>
    private static decimal? Moved(decimal value, decimal delta)
    {
        try
        {
            return value + delta;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static JsonObject Object(IEnumerable<(string Name, JsonNode? Value)> pairs)
    {
        var obj = new JsonObject();
        foreach (var (name, value) in pairs)
            obj[name] = value;
        return obj;
    }
}
