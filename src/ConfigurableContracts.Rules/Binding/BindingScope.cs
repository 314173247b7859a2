namespace ConfigurableContracts.Rules.Binding;

/// <summary>
/// Names visible to an expression: inputs, then global parameters, then the rule's (and its parents') local
/// parameters, then lambda parameters; inner scopes shadow outer ones.
/// </summary>
internal sealed class BindingScope
{
    private readonly Dictionary<string, Symbol> _symbols = new(StringComparer.Ordinal);

    public BindingScope(BindingScope? parent = null) => Parent = parent;

    public BindingScope? Parent { get; }

    public void Declare(Symbol symbol) => _symbols[symbol.Name] = symbol;

    public bool TryLookup(string name, out Symbol symbol)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
            if (scope._symbols.TryGetValue(name, out symbol!)) return true;
        symbol = null!;
        return false;
    }

    public IEnumerable<string> VisibleNames
    {
        get
        {
            for (var scope = this; scope is not null; scope = scope.Parent)
                foreach (var name in scope._symbols.Keys) yield return name;
        }
    }
}

/// <summary>Hands out frame slots; one allocator per compiled workflow so every symbol has its own slot.</summary>
internal sealed class SlotAllocator
{
    public int Count { get; private set; }

    public int Next() => Count++;
}

/// <summary>Did-you-mean suggestions by edit distance, so a typo'd field name comes with its likely fix.</summary>
public static class NameSuggestions
{
    /// <summary>The closest candidate within a distance that still reads as a typo, or null.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var limit = name.Length <= 3 ? 1 : Math.Max(2, name.Length / 3);
        foreach (var candidate in candidates.Distinct(StringComparer.Ordinal))
        {
            if (candidate == name) continue;
            var distance = string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(name, candidate);
            if (distance <= limit && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /// <summary>" Did you mean 'x'?" or an empty string.</summary>
    public static string Hint(string name, IEnumerable<string> candidates) =>
        Closest(name, candidates) is { } suggestion ? $" Did you mean '{suggestion}'?" : "";

    /// <summary>
    /// Edit distance where a swap of two neighbours counts once ("scroe" → "score"), comparing case-insensitively
    /// so that case slips count as near misses.
    /// </summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = Same(a[i - 1], b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && Same(a[i - 1], b[j - 2]) && Same(a[i - 2], b[j - 1]))
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }

    private static bool Same(char x, char y) => char.ToUpperInvariant(x) == char.ToUpperInvariant(y);
}
