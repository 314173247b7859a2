namespace ConfigurableContracts.Rules.Testing;

/// <summary>
/// Where one test input is written — inline in the test file, or in the file an <c>"@path"</c> input names — so that
/// an input its schema refuses (an unknown field, <c>"age": "19"</c>, a misspelt enum value) is reported at the
/// offending value, where the author has to fix it, rather than at the case.
/// </summary>
public sealed class RuleTestInputSource
{
    private readonly JsonPositions _positions;
    private readonly string _root;

    internal RuleTestInputSource(SourceLocation declared, JsonPositions positions, string root)
    {
        Declared = declared;
        _positions = positions;
        _root = root;
    }

    /// <summary>The input's name in the test file (<c>"participant": …</c>).</summary>
    public SourceLocation Declared { get; }

    /// <summary>
    /// The value at <paramref name="path"/> (property names and array indices below the input; empty for the input
    /// itself). A value that is not written — a missing required field — is reported at the nearest enclosing value.
    /// </summary>
    public SourceLocation Value(IReadOnlyList<string> path)
    {
        var fileStart = _positions.LocationOfByte(0);
        for (var length = path.Count; ; length--)
        {
            var location = _positions.ValueLocation(Pointer(path, length));
            // JsonPositions answers the file start for a pointer it does not know; no input value starts there
            // except a whole referenced file, which is where the walk ends anyway.
            if (location != fileStart || length == 0) return location;
        }
    }

    /// <summary>The property name that ends <paramref name="path"/> (for an unknown field), else as <see cref="Value"/>.</summary>
    public SourceLocation Name(IReadOnlyList<string> path) =>
        path.Count == 0 ? Declared : _positions.NameLocation(Pointer(path, path.Count));

    private string Pointer(IReadOnlyList<string> path, int length) =>
        _root + string.Concat(path.Take(length).Select(segment => "/" + JsonPositions.Escape(segment)));
}
