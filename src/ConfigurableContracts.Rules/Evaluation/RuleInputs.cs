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
    /// <summary>Stands in <see cref="_values"/> for an input given as JSON and not converted yet.</summary>
    private static readonly object Deferred = new();

    private string[] _names;
    private object?[] _values;

    // The JSON of deferred inputs, by position, made only when JSON is given; and the types they are converted with,
    // looked up by name only when one is converted (the typed tier checks the dictionary once, not per input).
    private JsonElement[]? _json;
    private IReadOnlyDictionary<string, RuleType>? _jsonTypes;

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

    /// <summary>
    /// Inputs some of which are added with <see cref="SetDeferredJson"/>, converted (when at all) with their type in
    /// <paramref name="jsonTypes"/> — pass the dictionary the workflows were compiled with, and their typed code
    /// reads that JSON in place.
    /// </summary>
    public RuleInputs(IReadOnlyDictionary<string, RuleType> jsonTypes) : this()
    {
        _jsonTypes = jsonTypes;
    }

    /// <summary>
    /// Adds or replaces an input given as JSON, without converting it: the typed tier reads the fields its rules use
    /// in place, and the input is converted with its type from the constructor's types only if the closures need it.
    /// The JSON must stay readable (its document undisposed) until the evaluation is over.
    /// </summary>
    public RuleInputs SetDeferredJson(string name, JsonElement json)
    {
        ArgumentNullException.ThrowIfNull(name);
        var index = IndexOf(name);
        if (index < 0) AppendJson(name, json);
        else DeferAt(index, json);
        return this;
    }

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
            if (_json is not null) Array.Resize(ref _json, Count * 2);
        }
        _names[Count] = name;
        _values[Count++] = value;
    }

    /// <summary>Adds an input given as JSON, converted with the input's type (a schema "number" becomes decimal, etc.).</summary>
    public RuleInputs SetJson(string name, JsonElement json, RuleType? type = null) =>
        Set(name, type is null ? RuleValues.FromJson(json) : RuleValues.FromJson(json, type));

    /// <summary>
    /// Builds inputs from JSON values, each converted with its type from <paramref name="types"/> when known. The
    /// conversion is deferred: the compiled workflow's typed tier reads the fields its rules use straight from the
    /// JSON, and an input is converted into the value model only when something needs it whole (the general
    /// closures, <see cref="TryGetValue"/>). So the documents must stay undisposed until the evaluation is over;
    /// a disposed one throws <see cref="ObjectDisposedException"/>, it is never read stale.
    /// </summary>
    public static RuleInputs FromJson(IEnumerable<KeyValuePair<string, JsonElement>> inputs, IReadOnlyDictionary<string, RuleType>? types = null)
    {
        var result = new RuleInputs { _jsonTypes = types };
        if (inputs is Dictionary<string, JsonElement> dictionary)
        {
            // The usual caller's inputs, read without an enumerator to allocate; a dictionary's names are distinct,
            // so they are appended without searching for an earlier one.
            foreach (var (name, json) in dictionary) result.AppendJson(name, json);
            return result;
        }
        // As with Set, a later value of the same name replaces the earlier one.
        foreach (var (name, json) in inputs) result.SetDeferredJson(name, json);
        return result;
    }

    /// <summary>The types JSON inputs are converted with, by name, as given to <see cref="FromJson"/>.</summary>
    internal IReadOnlyDictionary<string, RuleType>? JsonTypes => _jsonTypes;

    private void AppendJson(string name, JsonElement json)
    {
        Append(name, Deferred);
        DeferAt(Count - 1, json);
    }

    private void DeferAt(int index, JsonElement json)
    {
        _json ??= new JsonElement[_names.Length];
        _values[index] = Deferred;
        _json[index] = json;
    }

    public bool TryGetValue(string name, out object? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        var index = IndexOf(name);
        value = index >= 0 ? ValueAt(index) : null;
        return index >= 0;
    }

    /// <summary>
    /// Looks <paramref name="name"/> up, trying position <paramref name="guess"/> first; updates the guess to where
    /// the name was found. Callers that build their inputs in the same order every time hit on the first try.
    /// </summary>
    internal bool TryGetValueAt(string name, ref int guess, out object? value)
    {
        var at = Find(name, ref guess);
        value = at >= 0 ? ValueAt(at) : null;
        return at >= 0;
    }

    /// <summary>
    /// For the typed tier: the input <paramref name="name"/> as JSON to read in place when it was given as JSON not
    /// converted yet and <paramref name="inPlace"/> (its type is the one the typed code expects) — true; otherwise
    /// its value in the value model, converted now if need be, or null when absent — false.
    /// </summary>
    internal bool TryGetJsonAt(string name, bool inPlace, ref int guess, out JsonElement json, out object? value)
    {
        json = default;
        value = null;
        var at = Find(name, ref guess);
        if (at < 0) return false;
        if (inPlace && ReferenceEquals(_values[at], Deferred))
        {
            json = _json![at];
            return true;
        }
        value = ValueAt(at);
        return false;
    }

    /// <summary>The position of <paramref name="name"/>, tried at <paramref name="guess"/> first, which is updated; -1 when absent.</summary>
    private int Find(string name, ref int guess)
    {
        var at = guess;
        if ((uint)at < (uint)Count && (ReferenceEquals(_names[at], name) || string.Equals(_names[at], name, StringComparison.Ordinal))) return at;
        at = IndexOf(name);
        if (at >= 0) guess = at;
        return at;
    }

    /// <summary>The value at <paramref name="index"/>, converting a deferred JSON input once and keeping the result.</summary>
    private object? ValueAt(int index)
    {
        var value = _values[index];
        if (!ReferenceEquals(value, Deferred)) return value;
        // Two threads evaluating the same inputs may both convert; each gets an equal value and one is kept.
        var json = _json![index];
        value = _jsonTypes is not null && _jsonTypes.TryGetValue(_names[index], out var type) ? RuleValues.FromJson(json, type) : RuleValues.FromJson(json);
        _values[index] = value;
        return value;
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < Count; i++)
            if (string.Equals(_names[i], name, StringComparison.Ordinal)) return i;
        return -1;
    }
}
