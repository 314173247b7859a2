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

    /// <summary>Statements one call may execute, counting statements in nested calls.</summary>
    public int MaxStatements { get; init; } = 50_000;

    /// <summary>Wall-clock time one call may take; checked before each statement.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often one function may be on the call stack at once (Jint counts recursion per function).</summary>
    public int MaxRecursionDepth { get; init; } = 64;

    /// <summary>
    /// Stack one call may use, measured from where it starts; the backstop for recursion Jint does not count
    /// (getters, constructors, <c>valueOf</c>, built-ins). Plain recursion stops earlier, at
    /// <see cref="MaxRecursionDepth"/>; one level of it costs about 3 KiB.
    /// </summary>
    public int MaxStackBytes { get; init; } = 512 * 1024;

    /// <summary>Time a single regular expression match may take.</summary>
    public TimeSpan RegexTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Longest regular-expression pattern, in characters; .NET parses patterns in native code where the statement
    /// and time limits are not checked.
    /// </summary>
    public int MaxRegexLength { get; init; } = 1_000;

    /// <summary>
    /// Longest string the <c>+</c> and <c>+=</c> operators may build. Jint 2.10.4 cannot meter memory, and without
    /// this a script doubling a string reaches gigabytes in thirty statements.
    /// </summary>
    public int MaxStringLength { get; init; } = 1_000_000;

    /// <summary>Deepest argument or result value (arrays and objects inside each other).</summary>
    public int MaxValueDepth { get; init; } = 32;

    /// <summary>
    /// Longest array a call may pass to a built-in array method or return; built-ins loop over <c>length</c> in
    /// native code, where no statement or time check runs.
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
        RequirePositive(MaxArrayLength, nameof(MaxArrayLength));
        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "Timeout must be positive.");
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
