namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// Custom functions a template offers to its rule expressions as <c>fn.name(args…)</c>. The binder asks for a
/// signature when a file is loaded, so a misspelled function is a load-time diagnostic, not a runtime surprise.
/// </summary>
/// <remarks>
/// Arguments and results use the engine's value model: null, bool, long, decimal, string, DateTime,
/// IReadOnlyList&lt;object?&gt; and IReadOnlyDictionary&lt;string, object?&gt;.
/// </remarks>
public interface IRuleFunctions
{
    /// <summary>Every function name, for did-you-mean suggestions.</summary>
    IEnumerable<string> FunctionNames { get; }

    /// <summary>Looks up a function's signature by its exact (case-sensitive) name.</summary>
    bool TryGetFunction(string name, out RuleFunctionSignature signature);

    /// <summary>
    /// Calls a function. Implementations must be safe to call from several threads at once and throw
    /// <see cref="RuleFunctionException"/> for any failure inside the function (error, timeout, limit).
    /// </summary>
    object? Invoke(string name, IReadOnlyList<object?> arguments);
}

/// <summary>A custom function's arity and declared result type.</summary>
/// <param name="Name">The name rule expressions call it by.</param>
/// <param name="ParameterCount">How many arguments it takes.</param>
/// <param name="ReturnType">One of <c>number</c>, <c>integer</c>, <c>string</c>, <c>boolean</c>, <c>date</c>, <c>any</c>.</param>
public sealed record RuleFunctionSignature(string Name, int ParameterCount, string ReturnType);

/// <summary>A custom function failed; the calling rule's status becomes Error with this message as reason.</summary>
public sealed class RuleFunctionException : Exception
{
    public RuleFunctionException() { }

    public RuleFunctionException(string message) : base(message) { }

    public RuleFunctionException(string message, Exception innerException) : base(message, innerException) { }
}
