using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.RegularExpressions;
using Acornima.Ast;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// A template's <c>functions.js</c>, callable from rule expressions as <c>fn.name(args…)</c> and run by Jint 4 in a
/// sandbox: no CLR access, no clock or randomness, statement, time, memory, recursion, stack and regex limits per
/// call, and a script is refused before parsing when it is too large or too deeply nested. Any failure inside a
/// function surfaces as <see cref="RuleFunctionException"/>; docs/javascript-functions.md is the designer's guide.
/// </summary>
/// <remarks>
/// Jint engines are not thread-safe, so each caller borrows an engine from a pool; the script is parsed once and the
/// prepared program shared by every engine, each engine is reused for many calls, and its realm is frozen so calls
/// cannot influence each other.
/// </remarks>
public sealed class JavaScriptFunctions : IRuleFunctions
{
    private readonly string _path;
    private readonly Prepared<Script> _script;
    private readonly JavaScriptFunctionOptions _options;
    private readonly Dictionary<string, ScriptFunction> _functions;
    private readonly ConcurrentBag<SandboxEngine> _idleEngines = [];

    private JavaScriptFunctions(string path, Prepared<Script> script, JavaScriptFunctionOptions options, IReadOnlyList<ScriptFunction> functions, SandboxEngine firstEngine)
    {
        _path = path;
        _script = script;
        _options = options;
        _functions = functions.ToDictionary(f => f.Name, StringComparer.Ordinal);
        _idleEngines.Add(firstEngine);
    }

    /// <inheritdoc />
    public IEnumerable<string> FunctionNames => _functions.Keys;

    /// <summary>
    /// Checks and loads a script. Returns null, with at least one diagnostic, when the script is refused; the
    /// diagnostics use codes CCR0400–CCR0499 and 1-based positions in <paramref name="source"/>.
    /// </summary>
    /// <param name="path">The script's path as the caller names it; the diagnostics' location names it.</param>
    /// <param name="source">The script text.</param>
    /// <param name="diagnostics">Every problem found; empty when the script loaded.</param>
    /// <param name="options">Limits; <see cref="JavaScriptFunctionOptions.Default"/> when null.</param>
    public static JavaScriptFunctions? Load(string path, string source, out IReadOnlyList<Diagnostic> diagnostics, JavaScriptFunctionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(source);
        options ??= JavaScriptFunctionOptions.Default;
        options.Validate();

        var found = new List<Diagnostic>();
        diagnostics = found;
        if (ScriptGuard.Check(path, source, options) is { } refused)
        {
            found.Add(refused);
            return null;
        }

        var functions = ScriptSyntax.Validate(path, source, options, found);
        if (found.Count > 0)
        {
            return null;
        }

        // Validate parsed the text once already, and refused anything too deep to parse again on an ordinary thread.
        var script = Engine.PrepareScript(source, path, strict: true);
        try
        {
            var engine = WithStackRoom(options, () => SandboxEngine.Create(script, functions, options));
            return new JavaScriptFunctions(path, script, options, functions, engine);
        }
        catch (Exception exception) when (IsScriptFailure(exception))
        {
            var (line, column) = Location(exception) ?? (1, 1);
            found.Add(ScriptSyntax.Error(path, ScriptDiagnosticCodes.TopLevelFailed, "the top-level declarations failed: " + Explain(exception, options), line, column));
            return null;
        }
    }

    /// <inheritdoc />
    public bool TryGetFunction(string name, out RuleFunctionSignature signature)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_functions.TryGetValue(name, out var function))
        {
            signature = new RuleFunctionSignature(function.Name, function.ParameterCount, function.ReturnType);
            return true;
        }

        signature = null!;
        return false;
    }

    /// <inheritdoc />
    public object? Invoke(string name, IReadOnlyList<object?> arguments)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(arguments);
        if (!_functions.TryGetValue(name, out var function))
        {
            throw new RuleFunctionException($"{_path}: there is no function '{name}'.");
        }

        return WithStackRoom(_options, () => InvokeOnThisThread(function, arguments));
    }

    private object? InvokeOnThisThread(ScriptFunction function, IReadOnlyList<object?> arguments)
    {
        var engine = _idleEngines.TryTake(out var idle) ? idle : SandboxEngine.Create(_script, _functions.Values.ToList(), _options);
        var reusable = true;
        try
        {
            return engine.Invoke(function, arguments);
        }
        catch (RuleFunctionException exception)
        {
            throw new RuleFunctionException($"{_path}:{function.Line}:{function.Column}: {function.Name} {exception.Message}", exception);
        }
        catch (Exception exception) when (IsScriptFailure(exception))
        {
            var (line, column) = Location(exception) ?? (function.Line, function.Column);
            throw new RuleFunctionException($"{_path}:{line}:{column}: {function.Name} {Explain(exception, _options)}", exception);
        }
        catch (Exception exception) when (exception is not RuleFunctionException)
        {
            // Anything else is Jint failing inside itself (or running out of memory); the engine's state is
            // unknown, so it is dropped rather than lent to the next caller.
            reusable = false;
            engine.Dispose();
            throw new RuleFunctionException($"{_path}:{function.Line}:{function.Column}: {function.Name} failed inside the JavaScript engine: {exception.GetType().Name}: {exception.Message}", exception);
        }
        finally
        {
            if (reusable)
            {
                _idleEngines.Add(engine);
            }
        }
    }

    // A caller deep in its own stack, or on a thread with a small stack, still gets the full, deterministic budget:
    // the work (a call, or the parse for a new engine) moves to a thread that is sure to have room.
    private static T WithStackRoom<T>(JavaScriptFunctionOptions options, Func<T> work)
    {
        if (StackBudget.ThreadHasRoom(options.MaxStackBytes))
        {
            return work();
        }

        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    result = work();
                }
#pragma warning disable CA1031 // Every exception is carried back to the calling thread and rethrown there.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    failure = ExceptionDispatchInfo.Capture(exception);
                }
            },
            options.MaxStackBytes + (2 * 1024 * 1024));
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    // Where a thrown script error came from, 1-based; Jint's own stops (statements, time, memory) carry no position.
    private static (int Line, int Column)? Location(Exception exception) =>
        exception is JavaScriptException { Location.Start.Line: > 0 } thrown
            ? (thrown.Location.Start.Line, thrown.Location.Start.Column + 1)
            : null;

    private static bool IsScriptFailure(Exception exception) =>
        exception is JavaScriptException or SandboxLimitException or StatementsCountOverflowException or MemoryLimitExceededException
            or TimeoutException or RecursionDepthOverflowException or RegexMatchTimeoutException;

    private static string Explain(Exception exception, JavaScriptFunctionOptions options) => exception switch
    {
        JavaScriptException thrown => "threw " + DescribeThrown(thrown.Error),
        StatementsCountOverflowException => $"ran more than {options.MaxStatements} statements (an endless loop?).",
        MemoryLimitExceededException => $"went over a memory limit (MaxMemoryBytes {options.MaxMemoryBytes}, MaxArrayLength {options.MaxArrayLength}): {exception.Message}",
        RegexMatchTimeoutException => $"spent more than {options.RegexTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms on one regular expression match.",
        TimeoutException => $"ran longer than {options.Timeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms.",
        RecursionDepthOverflowException => $"recursed more than {options.MaxRecursionDepth} levels deep.",
        _ => exception.Message,
    };

    // Reads name and message as plain data, so a thrown object's getters do not run (again) while we report it.
    private static string DescribeThrown(JsValue error)
    {
        if (!error.IsObject())
        {
            return error.IsString() ? "\"" + error.AsString() + "\"" : JavaScriptValueMarshaller.Describe(error);
        }

        string? name = null;
        string? message = null;
        for (var instance = error.AsObject(); instance is not null && (name is null || message is null); instance = instance.Prototype)
        {
            if (!IsPlainData(instance))
            {
                // A proxy's own properties are its traps' answers: describing it must not run them.
                break;
            }

            name ??= StringData(instance, "name");
            message ??= StringData(instance, "message");
        }

        return name is null && message is null
            ? JavaScriptValueMarshaller.Describe(error)
            : string.IsNullOrEmpty(message) ? name ?? "Error" : $"{name ?? "Error"}: {message}";

        // Thrown values and their prototypes whose properties are stored, not computed: plain objects, errors and
        // Object.prototype. Anything else (a proxy above all) is described by its kind alone.
        static bool IsPlainData(ObjectInstance instance) =>
            instance is JsObject or JsError || instance.GetType().Namespace is "Jint.Native.Error" or "Jint.Native.Object";

        static string? StringData(ObjectInstance instance, string property) =>
            instance.GetOwnProperty(property) switch
            {
                { } data when data.IsDataDescriptor() && data.Value is { } value && value.IsString() => value.AsString(),
                { Get: var getter } when InstancePropertyDefault.TryGetDefault(getter, out var value) && value.IsString() => value.AsString(),
                _ => null,
            };
    }
}
