using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ConfigurableContracts.Rules.Types;

/// <summary>
/// The field names of an object type in a fixed order. Objects converted with a schema store their fields by this
/// order, so a compiled <c>participant.age</c> is an array read instead of a dictionary lookup.
/// </summary>
internal sealed class ObjectShape
{
    public ObjectShape(IReadOnlyDictionary<string, RuleType> fields)
    {
        Names = [.. fields.Keys];
        Types = [.. Names.Select(name => fields[name])];
        Utf8Names = [.. Names.Select(System.Text.Encoding.UTF8.GetBytes)];
        Index = new Dictionary<string, int>(Names.Length, StringComparer.Ordinal);
        for (var i = 0; i < Names.Length; i++) Index[Names[i]] = i;
    }

    public string[] Names { get; }

    /// <summary>Each field's type, in the same order.</summary>
    public RuleType[] Types { get; }

    /// <summary>The names as UTF-8, so a JSON property can be matched without decoding its name into a string.</summary>
    public byte[][] Utf8Names { get; }

    public Dictionary<string, int> Index { get; }
}

/// <summary>
/// A JSON object converted with a known object type: the declared fields in <see cref="ObjectShape"/> order, plus
/// any undeclared ones. Reads like any other <see cref="IReadOnlyDictionary{TKey, TValue}"/> of the value model.
/// </summary>
internal sealed class RuleRecord : IReadOnlyDictionary<string, object?>
{
    /// <summary>Marks a declared field that the document does not have (distinct from an explicit null).</summary>
    public static readonly object Absent = new();

    private readonly Dictionary<string, object?>? _extra;

    public RuleRecord(ObjectShape shape, object?[] values, Dictionary<string, object?>? extra)
    {
        Shape = shape;
        Values = values;
        _extra = extra;
    }

    public ObjectShape Shape { get; }

    public object?[] Values { get; }

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        if (Shape.Index.TryGetValue(key, out var index) && !ReferenceEquals(Values[index], Absent))
        {
            value = Values[index];
            return true;
        }
        if (_extra is not null) return _extra.TryGetValue(key, out value);
        value = null;
        return false;
    }

    public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public IEnumerable<string> Keys => this.Select(p => p.Key);

    IEnumerable<object?> IReadOnlyDictionary<string, object?>.Values => this.Select(p => p.Value);

    public int Count => Values.Count(v => !ReferenceEquals(v, Absent)) + (_extra?.Count ?? 0);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Values.Length; i++)
            if (!ReferenceEquals(Values[i], Absent)) yield return new KeyValuePair<string, object?>(Shape.Names[i], Values[i]);
        if (_extra is null) yield break;
        foreach (var pair in _extra) yield return pair;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
