using System.Text.Json;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Rules.Evaluation;

/// <summary>
/// The named inputs of one evaluation (contract, participant, baseline, …, asOf) in the engine's value model.
/// An input that is not added is absent, which rules see as null.
/// </summary>
public sealed class RuleInputs
{
    private readonly Dictionary<string, object?> _values;

    public RuleInputs() => _values = new Dictionary<string, object?>(StringComparer.Ordinal);

    public RuleInputs(IEnumerable<KeyValuePair<string, object?>> values) => _values = new Dictionary<string, object?>(values, StringComparer.Ordinal);

    public IEnumerable<string> Names => _values.Keys;

    public int Count => _values.Count;

    /// <summary>Adds or replaces an input already in the value model (long, decimal, DateTime, dictionaries, …).</summary>
    public RuleInputs Set(string name, object? value)
    {
        _values[name] = value;
        return this;
    }

    /// <summary>Adds an input given as JSON, converted with the input's type (a schema "number" becomes decimal, etc.).</summary>
    public RuleInputs SetJson(string name, JsonElement json, RuleType? type = null)
    {
        _values[name] = type is null ? RuleValues.FromJson(json) : RuleValues.FromJson(json, type);
        return this;
    }

    /// <summary>Builds inputs from JSON values, converting each with its type from <paramref name="types"/> when known.</summary>
    public static RuleInputs FromJson(IEnumerable<KeyValuePair<string, JsonElement>> inputs, IReadOnlyDictionary<string, RuleType>? types = null)
    {
        var result = new RuleInputs();
        foreach (var (name, json) in inputs)
            result.SetJson(name, json, types is not null && types.TryGetValue(name, out var type) ? type : null);
        return result;
    }

    public bool TryGetValue(string name, out object? value) => _values.TryGetValue(name, out value);
}
