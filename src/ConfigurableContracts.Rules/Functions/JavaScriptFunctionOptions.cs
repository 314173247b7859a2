namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// Limits of the JavaScript custom-function sandbox. The defaults are safe for a shared server; a template that needs
/// more should be rewritten rather than given larger limits, because every limit here protects the whole process.
/// </summary>
public sealed record JavaScriptFunctionOptions
{
    /// <summary>The limits used when a caller gives none.</summary>
    public static JavaScriptFunctionOptions Default { get; } = new();

    /// <summary>Largest accepted script, in UTF-16 characters.</summary>
    public int MaxSourceLength { get; init; } = 64 * 1024;

    /// <summary>Deepest accepted nesting of <c>( [ {</c> in the script text, checked before Jint parses it.</summary>
    public int MaxNestingDepth { get; init; } = 64;

    /// <summary>
    /// Deepest accepted syntax tree (unbracketed chains such as <c>!!!!x</c>, <c>a+a+…</c> or long
    /// <c>else if</c> ladders count too); it keeps every function body's own stack use small.
    /// </summary>
    public int MaxSyntaxDepth { get; init; } = 160;

    /// <summary>Statements one call may execute, counting statements in nested calls (Jint's <c>MaxStatements</c>).</summary>
    public int MaxStatements { get; init; } = 50_000;

    /// <summary>Wall-clock time one call may take; checked between statements (Jint's <c>TimeoutInterval</c>).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often one function may be on the call stack at once, by any route: calls, <c>new</c>, getters, coercions
    /// (Jint's <c>LimitRecursion</c>).
    /// </summary>
    public int MaxRecursionDepth { get; init; } = 64;

    /// <summary>
    /// Stack one call may use in built-ins, measured from where it starts, and the room every call is guaranteed
    /// (a caller with less has the call moved to a thread of its own). Recursion through script functions stops
    /// earlier, at <see cref="MaxRecursionDepth"/> per function.
    /// </summary>
    public int MaxStackBytes { get; init; } = 512 * 1024;

    /// <summary>
    /// Bytes one call may allocate, counted by the thread's allocation counter between statements (Jint's
    /// <c>LimitMemory</c>); a string concatenation whose result alone is larger is refused before it is built.
    /// </summary>
    public long MaxMemoryBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Time a single regular expression match may take (Jint's <c>RegexTimeoutInterval</c>).</summary>
    public TimeSpan RegexTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Longest regular-expression pattern built at run time, in characters: Jint builds a regex in one native step
    /// where no time check runs (200 000 nested groups take about a second).
    /// </summary>
    public int MaxRegexLength { get; init; } = 1_000;

    /// <summary>
    /// Longest string a built-in may build in one native step (<c>join</c>, array <c>toString</c> and
    /// <c>toLocaleString</c>, string <c>concat</c>, <c>repeat</c>, <c>padStart</c>, <c>padEnd</c>, <c>replace</c> and
    /// <c>replaceAll</c> with a string replacement): the memory limit is only checked between statements.
    /// </summary>
    public int MaxStringLength { get; init; } = 1_000_000;

    /// <summary>Deepest argument or result value (arrays and objects inside each other).</summary>
    public int MaxValueDepth { get; init; } = 32;

    /// <summary>
    /// Longest array a script may build (Jint's <c>MaxArraySize</c>), pass to a built-in array method as
    /// <c>this</c>, pass in or return.
    /// </summary>
    public int MaxArrayLength { get; init; } = 100_000;

    /// <summary>Throws when a limit is zero, negative or otherwise unusable, naming the value.</summary>
    public void Validate()
    {
        RequirePositive(MaxSourceLength, nameof(MaxSourceLength));
        RequirePositive(MaxNestingDepth, nameof(MaxNestingDepth));
        RequirePositive(MaxSyntaxDepth, nameof(MaxSyntaxDepth));
        RequirePositive(MaxStatements, nameof(MaxStatements));
        RequirePositive(MaxRecursionDepth, nameof(MaxRecursionDepth));
        RequirePositive(MaxValueDepth, nameof(MaxValueDepth));
        RequirePositive(MaxRegexLength, nameof(MaxRegexLength));
        RequirePositive(MaxStringLength, nameof(MaxStringLength));
        RequirePositive(MaxStackBytes, nameof(MaxStackBytes));
        if (MaxStackBytes > 64 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxStackBytes), MaxStackBytes, "MaxStackBytes must be at most 64 MiB.");
        }

        if (MaxMemoryBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMemoryBytes), MaxMemoryBytes, $"{nameof(MaxMemoryBytes)} must be positive.");
        }

        RequirePositive(MaxArrayLength, nameof(MaxArrayLength));
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "Timeout must be positive and at most one day.");
        }

        if (RegexTimeout <= TimeSpan.Zero || RegexTimeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(RegexTimeout), RegexTimeout, "RegexTimeout must be positive and at most one day.");
        }
    }

    private static void RequirePositive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
        }
    }
}
