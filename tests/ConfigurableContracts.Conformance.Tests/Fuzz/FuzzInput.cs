using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace ConfigurableContracts.Conformance.Tests.Fuzz;

/// <summary>One element of the input's array: <c>{ "k": integer, "v": decimal, "t": string, "f": boolean }</c>.</summary>
public sealed record FuzzItem(long K, decimal V, string T, bool F);

/// <summary>
/// One generated input named <c>p</c>, with a fixed set of fields per JSON kind so that generated expressions can
/// name them. Any scalar field may be null (the shape RulesEngine then types as object, and we as unknown).
/// </summary>
public sealed record FuzzInput(
    ImmutableDictionary<string, long?> Integers,
    ImmutableDictionary<string, decimal?> Decimals,
    ImmutableDictionary<string, string?> Strings,
    ImmutableDictionary<string, bool?> Booleans,
    ImmutableDictionary<string, DateOnly?> Dates,
    ImmutableArray<FuzzItem> Items)
{
    /// <summary>The input's name in expressions.</summary>
    public const string Name = "p";

    public const string ItemsField = "items";

    public static readonly ImmutableArray<string> IntegerFields = ["age", "visits", "score"];
    public static readonly ImmutableArray<string> DecimalFields = ["rate", "amount"];
    public static readonly ImmutableArray<string> StringFields = ["name", "code"];
    public static readonly ImmutableArray<string> BooleanFields = ["active", "flagged"];
    public static readonly ImmutableArray<string> DateFields = ["start", "end"];

    /// <summary>Fields that are null in this input, as the paths expressions use (<c>p.age</c>).</summary>
    public IEnumerable<string> NullFields() =>
        Integers.Where(f => f.Value is null).Select(f => f.Key)
            .Concat(Decimals.Where(f => f.Value is null).Select(f => f.Key))
            .Concat(Strings.Where(f => f.Value is null).Select(f => f.Key))
            .Concat(Booleans.Where(f => f.Value is null).Select(f => f.Key))
            .Concat(Dates.Where(f => f.Value is null).Select(f => f.Key))
            .Select(f => $"{Name}.{f}");

    /// <summary>The input as JSON, decimals written as they were generated (never with a trailing zero).</summary>
    public string ToJson()
    {
        var json = new StringBuilder("{ ");
        foreach (var (name, value) in Integers) json.Append(CultureInfo.InvariantCulture, $"\"{name}\": {(value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "null")}, ");
        foreach (var (name, value) in Decimals) json.Append(CultureInfo.InvariantCulture, $"\"{name}\": {(value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "null")}, ");
        foreach (var (name, value) in Strings) json.Append(CultureInfo.InvariantCulture, $"\"{name}\": {(value is null ? "null" : Json(value))}, ");
        foreach (var (name, value) in Booleans) json.Append(CultureInfo.InvariantCulture, $"\"{name}\": {(value is { } v ? (v ? "true" : "false") : "null")}, ");
        foreach (var (name, value) in Dates) json.Append(CultureInfo.InvariantCulture, $"\"{name}\": {(value is { } v ? $"\"{v:yyyy-MM-dd}\"" : "null")}, ");
        json.Append(CultureInfo.InvariantCulture, $"\"{ItemsField}\": [");
        json.AppendJoin(", ", Items.Select(i =>
            $"{{ \"k\": {i.K.ToString(CultureInfo.InvariantCulture)}, \"v\": {i.V.ToString(CultureInfo.InvariantCulture)}, \"t\": {Json(i.T)}, \"f\": {(i.F ? "true" : "false")} }}"));
        json.Append("] }");
        return json.ToString();
    }

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    /// <summary>Simpler inputs for shrinking: fewer items, plainer strings, smaller numbers, no nulls.</summary>
    public IEnumerable<FuzzInput> Shrink()
    {
        for (var i = 0; i < Items.Length; i++) yield return this with { Items = Items.RemoveAt(i) };
        foreach (var (name, value) in Strings)
            if (value is { Length: > 0 }) yield return this with { Strings = Strings.SetItem(name, value.Length > 1 ? value[..1] : "") };
        foreach (var (name, value) in Integers)
            if (value is not (null or 0 or 1)) yield return this with { Integers = Integers.SetItem(name, value > 0 ? 1 : -1) };
        foreach (var (name, value) in Decimals)
            if (value is not (null or 0.5m)) yield return this with { Decimals = Decimals.SetItem(name, 0.5m) };
    }
}
