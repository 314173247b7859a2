using System.Text.Json;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Rules.Evaluation;

/// <summary>
/// The named inputs of one evaluation (contract, participant, baseline, …, asOf) in the engine's value model.
/// An input that is not added is absent, which rules see as null.
/// </summary>
/// <remarks>
/// Kept as a short list in insertion order rather than a dictionary: a participant has a handful of inputs, and a
/// compiled workflow finds each one at the position it had last time (see <see cref="TryGetValueAt"/>), which is a
/// reference comparison instead of hashing every name for every participant.
/// </remarks>
public sealed class RuleInputs
{
    private string[] _names;
    private object?[] _values;

    public RuleInputs()
    {
        _names = new string[8];
        _values = new object?[8];
    }

    /// <exception cref="ArgumentException">Two values have the same name.</exception>
    public RuleInputs(IEnumerable<KeyValuePair<string, object?>> values) : this()
    {
        foreach (var (name, value) in values)
        {
            if (IndexOf(name) >= 0) throw new ArgumentException($"An input named '{name}' is given twice.", nameof(values));
            Set(name, value);
        }
    }

    public IEnumerable<string> Names => _names.Take(Count);

    public int Count { get; private set; }

    /// <summary>Adds or replaces an input already in the value model (long, decimal, DateTime, dictionaries, …).</summary>
    public RuleInputs Set(string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        var index = IndexOf(name);
        if (index >= 0)
        {
            _values[index] = value;
            return this;
        }
        Append(name, value);
        return this;
    }

    /// <summary>Adds a name the caller knows is not there yet.</summary>
    private void Append(string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Count == _names.Length)
        {
            Array.Resize(ref _names, Count * 2);
            Array.Resize(ref _values, Count * 2);
        }
        _names[Count] = name;
        _values[Count++] = value;
    }

    /// <summary>Adds an input given as JSON, converted with the input's type (a schema "number" becomes decimal, etc.).</summary>
    public RuleInputs SetJson(string name, JsonElement json, RuleType? type = null) =>
        Set(name, type is null ? RuleValues.FromJson(json) : RuleValues.FromJson(json, type));

    /// <summary>Builds inputs from JSON values, converting each with its type from <paramref name="types"/> when known.</summary>
    public static RuleInputs FromJson(IEnumerable<KeyValuePair<string, JsonElement>> inputs, IReadOnlyDictionary<string, RuleType>? types = null)
    {
        var result = new RuleInputs();
        if (inputs is Dictionary<string, JsonElement> dictionary)
        {
            // The usual caller's types, read without an enumerator to allocate or interface calls per input; a
            // dictionary's names are distinct, so they are appended without searching for an earlier one.
            var typed = types as Dictionary<string, RuleType>;
            foreach (var (name, json) in dictionary)
            {
                var type = typed is not null ? typed.GetValueOrDefault(name) : types?.GetValueOrDefault(name);
                result.Append(name, type is null ? RuleValues.FromJson(json) : RuleValues.FromJson(json, type));
            }
            return result;
        }
        foreach (var (name, json) in inputs)
            result.SetJson(name, json, types is not null && types.TryGetValue(name, out var type) ? type : null);
        return result;
    }

    public bool TryGetValue(string name, out object? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        var index = IndexOf(name);
        value = index >= 0 ? _values[index] : null;
        return index >= 0;
    }

    /// <summary>
    /// Looks <paramref name="name"/> up, trying position <paramref name="guess"/> first; updates the guess to where
    /// the name was found. Callers that build their inputs in the same order every time hit on the first try.
    /// </summary>
    internal bool TryGetValueAt(string name, ref int guess, out object? value)
    {
        var at = guess;
        if ((uint)at < (uint)Count && (ReferenceEquals(_names[at], name) || string.Equals(_names[at], name, StringComparison.Ordinal)))
        {
            value = _values[at];
            return true;
        }
        at = IndexOf(name);
        if (at < 0)
        {
            value = null;
            return false;
        }
        guess = at;
        value = _values[at];
        return true;
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < Count; i++)
            if (string.Equals(_names[i], name, StringComparison.Ordinal)) return i;
        return -1;
    }
}
