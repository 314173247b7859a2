using System.Globalization;
using Acornima.Ast;
using Jint;
using Jint.Native;
using Jint.Native.Error;
using Jint.Native.Object;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// One Jint 4 engine with a template's functions loaded into a locked-down realm. Jint engines are not thread-safe,
/// so <see cref="JavaScriptFunctions"/> lends each engine to one caller at a time.
/// </summary>
/// <remarks>
/// Jint's own options do most of the work: strict mode, statement, time, memory, recursion and array-size limits,
/// the native-stack guard, the regex match timeout, no string compilation (<c>eval</c>, <c>Function</c>) and no CLR
/// access (interop is off unless a host calls <c>AllowClr</c>, which this one never does). What remains here is what
/// those options do not cover: built-ins that read the clock, chance or the garbage collector are removed, the
/// remaining built-ins are guarded (<see cref="BuiltInGuards"/>), and everything a call could change is frozen.
/// An engine is reused for many calls (a new engine and its frozen realm cost milliseconds, a call about a
/// microsecond), and after each call its globals are restored from a snapshot.
/// </remarks>
internal sealed class SandboxEngine : IDisposable
{
    // Built-ins a rule function must not have: each reads the clock, chance or the garbage collector, blocks the
    // thread, allocates outside every limit in one native step, or is a second way into something refused.
    private static readonly string[] RemovedGlobals =
    [
        // JSON.stringify expands an array nested as a DAG (a = [a, a], forty times) to 2^40 elements in .NET, and
        // JSON.parse adds nothing a rule function needs: its values arrive as values.
        "JSON",
        // A WeakRef answers differently depending on when the garbage collector ran; a FinalizationRegistry's
        // callbacks run whenever it did.
        "WeakRef", "FinalizationRegistry",
        // Atomics.wait blocks the thread for as long as it is told; buffers are allocated in one native step.
        "Atomics", "SharedArrayBuffer", "ArrayBuffer", "DataView",
        "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
        "BigInt64Array", "BigUint64Array", "Float16Array", "Float32Array", "Float64Array",
        // BigInt arithmetic and printing run in .NET with no time check (squaring 3n twenty-two times hangs), and a
        // BigInt is never a rule value; BigInt literals are refused at load (CCR0410).
        "BigInt",
        // Temporal.Now and Intl's formatters read the clock through routes of their own; ShadowRealm builds realms.
        "Temporal", "Intl", "ShadowRealm",
    ];

    // Prototypes a script reaches only through instances (an array's iterator, a generator function), which the walk
    // from the global object would not find, so that freezing and guarding reach them too.
    private static readonly Prepared<Script> HiddenIntrinsics = Engine.PrepareScript(HiddenIntrinsicsSource, strict: true);

    private const string HiddenIntrinsicsSource = """
        (() => {
            const proto = Object.getPrototypeOf;
            const generatorFunction = proto(function* () { });
            const asyncFunction = proto(async function () { });
            const asyncGeneratorFunction = proto(async function* () { });
            return [
                generatorFunction, generatorFunction.prototype, proto(generatorFunction.prototype),
                asyncFunction, asyncGeneratorFunction, asyncGeneratorFunction.prototype, proto(asyncGeneratorFunction.prototype),
                proto([][Symbol.iterator]()), proto(new Map()[Symbol.iterator]()), proto(new Set()[Symbol.iterator]()),
                proto(""[Symbol.iterator]()), proto(/a/[Symbol.matchAll]("")),
                proto(Iterator.from({ next() { return { done: true }; } })), proto([].values().map((x) => x)),
            ];
        })()
        """;

    private readonly Engine _engine;
    private readonly JavaScriptValueMarshaller _marshaller;
    private readonly StackBudget _stack;
    private BuiltInGuards? _guards;
    private readonly Dictionary<string, JsValue> _functions = new(StringComparer.Ordinal);
    private GlobalSnapshot? _snapshot;

    private SandboxEngine(JavaScriptFunctionOptions options)
    {
        _engine = new Engine(o =>
        {
            o.Strict()
                .LimitRecursion(options.MaxRecursionDepth)
                .MaxStatements(options.MaxStatements)
                .TimeoutInterval(options.Timeout)
                .LimitMemory(options.MaxMemoryBytes)
                .MaxArraySize((uint)options.MaxArrayLength)
                .RegexTimeoutInterval(options.RegexTimeout)
                .DisableStringCompilation()
                .Culture(CultureInfo.InvariantCulture);
            o.TimeSystem = new ClocklessTimeSystem();
            o.AgentCanSuspend = false;

            // Jint counts recursion per function; the stack guard catches the rest (getters, new, valueOf, proxy
            // traps, callbacks of built-ins, many distinct functions) before the native stack runs out.
            o.Constraints.StackOverflowGuard = true;
        });
        _marshaller = new JavaScriptValueMarshaller(_engine, options);
        _stack = new StackBudget(options.MaxStackBytes);
    }

    /// <summary>
    /// Builds an engine for a script that <see cref="ScriptSyntax.Validate"/> accepted: locks the realm down, runs the
    /// script's top level under the per-call limits, then freezes everything the script can reach so no call can
    /// leave state for the next.
    /// </summary>
    public static SandboxEngine Create(Prepared<Script> script, IReadOnlyList<ScriptFunction> functions, JavaScriptFunctionOptions options)
    {
        var sandbox = new SandboxEngine(options);
        try
        {
            sandbox.LockDownAndLoad(script, functions, options);
            return sandbox;
        }
        catch
        {
            // A script whose top level failed (CCR0408) leaves no engine behind.
            sandbox.Dispose();
            throw;
        }
    }

    private void LockDownAndLoad(Prepared<Script> script, IReadOnlyList<ScriptFunction> functions, JavaScriptFunctionOptions options)
    {
        var engine = _engine;
        var roots = new List<ObjectInstance> { engine.Global };
        roots.AddRange(((JsArray)engine.Evaluate(HiddenIntrinsics)).Select(v => v.AsObject()));

        foreach (var name in RemovedGlobals)
        {
            engine.Global.Delete(name);
        }

        engine.Global.Get("Math").AsObject().Delete("random");

        var patterns = new RegExpPatternLimit(engine, options);
        var regExp = engine.Advanced.CreateProxy(engine.Intrinsics.RegExp, patterns);
        engine.Global.Set("RegExp", regExp);
        engine.Intrinsics.RegExp.Get("prototype").AsObject().Set("constructor", regExp);

        // Proxy.revocable builds proxies past the constructor's depth check; revoking has no use within one call.
        var proxy = engine.Global.Get("Proxy").AsObject();
        proxy.Delete("revocable");
        engine.Global.Set("Proxy", engine.Advanced.CreateProxy(proxy, new ProxyDepthLimit(engine, options)));

        _guards = new BuiltInGuards(engine, options, patterns, _stack);
        _guards.Install(roots);
        KeepErrorPropertiesAssignableOnInstances(engine);

        _stack.Start();
        _guards.StartCall();
        engine.Execute(script);
        foreach (var function in functions)
        {
            // A global function declaration is a property of the global object; a top-level const is a binding of
            // the global scope, which only evaluating its name reaches.
            _functions[function.Name] = engine.Evaluate(function.Name);
        }

        roots.AddRange(TopLevelConstants(engine, script.Program!));
        Freeze(engine, roots);
        _snapshot = engine.Advanced.CaptureGlobalSnapshot();
    }

    /// <summary>Calls one function with fresh statement, time, memory and recursion budgets.</summary>
    public object? Invoke(ScriptFunction function, IReadOnlyList<object?> arguments)
    {
        var values = _marshaller.ToJavaScript(arguments);

        // Some built-ins (toLocaleUpperCase, toLocaleLowerCase) use the thread's culture rather than the engine's,
        // so the call runs under the invariant culture whatever the host thread is set to.
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            // A top-level call: Jint resets every constraint's budget on the way in.
            _stack.Start();
            _guards!.StartCall();
            var result = _engine.Call(_functions[function.Name], JsValue.Undefined, values);
            return _marshaller.FromJavaScript(result, function.ReturnType);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;

            // The realm is frozen, so globals cannot change; the restore drops what freezing cannot reach: promise
            // jobs a call queued (they would otherwise run, or pile up, on the next caller's time) and the RegExp
            // legacy statics (RegExp.$1 …) the last match set.
            _engine.Advanced.ResetCallStack();
            _engine.Advanced.RestoreGlobalSnapshot(_snapshot!);
        }
    }

    /// <summary>Releases the engine; <see cref="JavaScriptFunctions"/> drops an engine whose state is unknown.</summary>
    public void Dispose() => _engine.Dispose();

    // Jint sets an error's name by assignment, which a frozen Error.prototype would make throw.
    private static void KeepErrorPropertiesAssignableOnInstances(Engine engine)
    {
        foreach (var name in (string[])["Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError", "AggregateError"])
        {
            if (engine.Global.Get(name) is ErrorConstructor error)
            {
                var prototype = error.Get("prototype").AsObject();
                InstancePropertyDefault.Install(engine, prototype, "message");
                InstancePropertyDefault.Install(engine, prototype, "name");
            }
        }
    }

    // The values of the script's top-level const declarations, which live outside the global object.
    private static IEnumerable<ObjectInstance> TopLevelConstants(Engine engine, Script program) =>
        program.Body.OfType<VariableDeclaration>()
            .SelectMany(d => d.Declarations)
            .Select(d => d.Id)
            .OfType<Identifier>()
            .Select(id => engine.Evaluate(id.Name))
            .OfType<ObjectInstance>();

    // Built-in prototypes, the script's top-level constants and functions all become read-only: prototype pollution
    // throws, and a call cannot leave anything behind for the next call on this engine.
    private static void Freeze(Engine engine, IEnumerable<ObjectInstance> roots)
    {
        var freeze = engine.Intrinsics.Object.Get("freeze");
        foreach (var instance in ReachableObjects.From(roots).ToList())
        {
            engine.Call(freeze, JsValue.Undefined, [instance]);
        }
    }
}
