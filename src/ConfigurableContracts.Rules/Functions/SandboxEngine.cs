using System.Globalization;
using Jint;
using Jint.Native;
using Jint.Native.Function;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// One Jint engine with a template's functions loaded into a locked-down global environment. Jint engines are not
/// thread-safe, so <see cref="JavaScriptFunctions"/> lends each engine to one caller at a time.
/// </summary>
internal sealed class SandboxEngine
{
    private readonly Engine _engine;
    private readonly JavaScriptValueMarshaller _marshaller;
    private readonly StackBudget _stack;
    private readonly Dictionary<string, FunctionInstance> _functions = new(StringComparer.Ordinal);

    private SandboxEngine(JavaScriptFunctionOptions options)
    {
        _engine = new Engine(o => o
            .Strict(true)
            .LimitRecursion(options.MaxRecursionDepth)
            .MaxStatements(options.MaxStatements)
            .TimeoutInterval(options.Timeout)
            .LocalTimeZone(TimeZoneInfo.Utc)
            .Culture(CultureInfo.InvariantCulture));
        _marshaller = new JavaScriptValueMarshaller(_engine, options);
        _stack = new StackBudget(options.MaxStackBytes);
        RemoveNondeterministicAndUnboundedBuiltIns(options);
        GuardBuiltIns(options);
        KeepErrorPropertiesAssignableOnInstances();

        _engine.Global.FastAddProperty(
            ScriptSyntax.PlusName,
            new ClrFunctionInstance(_engine, (_, operands) => Plus(operands.At(0), operands.At(1), options.MaxStringLength)),
            writable: false,
            enumerable: false,
            configurable: false);
        _engine.Global.FastAddProperty(
            ScriptSyntax.GuardName,
            new ClrFunctionInstance(_engine, (_, _) => { _stack.Check(); return JsValue.Undefined; }),
            writable: false,
            enumerable: false,
            configurable: false);
    }

    /// <summary>
    /// Builds an engine for a script that <see cref="ScriptSyntax.Validate"/> accepted: runs its top level under the
    /// per-call limits, then freezes everything the script can reach so no call can leave state for the next.
    /// </summary>
    public static SandboxEngine Create(string source, IReadOnlyList<ScriptFunction> functions, JavaScriptFunctionOptions options)
    {
        var sandbox = new SandboxEngine(options);
        sandbox._stack.Start();
        sandbox._engine.Execute(ScriptSyntax.ParseGuarded(source));
        sandbox.FreezeReachableObjects();
        foreach (var function in functions)
        {
            sandbox._functions[function.Name] = (FunctionInstance)sandbox._engine.Global.Get(function.Name).AsObject();
        }

        return sandbox;
    }

    /// <summary>Calls one function with fresh statement, time, recursion and stack budgets.</summary>
    public object? Invoke(ScriptFunction function, IReadOnlyList<object?> arguments)
    {
        var values = _marshaller.ToJavaScript(arguments);

        // Some of Jint's built-ins (toLocaleUpperCase, toLocaleLowerCase) use the thread's culture rather than the
        // engine's, so the call runs under the invariant culture whatever the host thread is set to.
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            _engine.ResetStatementsCount();
            _engine.ResetTimeoutTicks();
            _engine.ResetCallStack();
            _stack.Start();
            var result = _functions[function.Name].Call(JsValue.Undefined, values);
            return _marshaller.FromJavaScript(result, function.ReturnType);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    private void RemoveNondeterministicAndUnboundedBuiltIns(JavaScriptFunctionOptions options)
    {
        var global = _engine.Global;

        // eval and Function compile text at run time, past the pre-scan: a nested string would crash the parser.
        global.Delete("eval", throwOnError: false);
        global.Delete("Function", throwOnError: false);
        _engine.Function.PrototypeObject.Delete("constructor", throwOnError: false);

        // Bound functions call their target straight from .NET, so a chain of binds recurses with no check.
        _engine.Function.PrototypeObject.Delete("bind", throwOnError: false);

        // JSON.parse and JSON.stringify recurse in .NET over nested data without any depth limit.
        global.Delete("JSON", throwOnError: false);

        // A rule evaluated twice must give the same answer.
        _engine.Math.Delete("random", throwOnError: false);
        var regExp = new GuardedRegExpConstructor(_engine, options);
        global.FastAddProperty("RegExp", regExp, writable: true, enumerable: false, configurable: true);
        _engine.RegExp.PrototypeObject.FastAddProperty("constructor", regExp, writable: true, enumerable: false, configurable: true);

        var date = new DeterministicDateConstructor(_engine);
        global.FastAddProperty("Date", date, writable: true, enumerable: false, configurable: true);
        _engine.Date.PrototypeObject.FastAddProperty("constructor", date, writable: true, enumerable: false, configurable: true);
    }

    private void GuardBuiltIns(JavaScriptFunctionOptions options)
    {
        var holders = new (ObjectInstance Holder, NativeCheck Check)[]
        {
            (_engine.Global, NativeCheck.None),
            (_engine.Object, NativeCheck.None),
            (_engine.Object.PrototypeObject, NativeCheck.None),
            (_engine.Function.PrototypeObject, NativeCheck.None),
            (_engine.Array, NativeCheck.None),
            (_engine.Array.PrototypeObject, NativeCheck.ArrayLengthOfThis),
            (_engine.String, NativeCheck.None),
            (_engine.String.PrototypeObject, NativeCheck.None),
            (_engine.Number, NativeCheck.None),
            (_engine.Number.PrototypeObject, NativeCheck.None),
            (_engine.Boolean.PrototypeObject, NativeCheck.None),
            (_engine.Math, NativeCheck.None),
            (_engine.Global.Get("Date").AsObject(), NativeCheck.None),
            (_engine.Date.PrototypeObject, NativeCheck.None),
            (_engine.RegExp.PrototypeObject, NativeCheck.None),
            (_engine.Error.PrototypeObject, NativeCheck.None),
        };

        foreach (var (holder, defaultCheck) in holders)
        {
            foreach (var (name, descriptor) in holder.GetOwnProperties().ToList())
            {
                if (descriptor.IsAccessorDescriptor()
                    || descriptor.Value is not { } value
                    || !value.IsObject()
                    || value.AsObject() is not FunctionInstance function
                    || function is IConstructor
                    || function is GuardedNativeFunction)
                {
                    continue;
                }

                var check = (holder, name) switch
                {
                    _ when holder == _engine.Function.PrototypeObject && name == "apply" => NativeCheck.ArrayLengthOfSecondArgument,
                    _ when holder == _engine.Array.PrototypeObject && name == "concat" => NativeCheck.ArrayLengthOfArguments,
                    _ when holder == _engine.Array.PrototypeObject && name == "join" => NativeCheck.BoundedJoin,
                    _ when holder == _engine.String.PrototypeObject && name == "concat" => NativeCheck.BoundedConcat,
                    _ when holder == _engine.RegExp.PrototypeObject && name is "exec" or "test" => NativeCheck.RegexThis,
                    _ when holder == _engine.String.PrototypeObject && name is "match" or "search" => NativeCheck.RegexFromFirstArgument,
                    _ when holder == _engine.String.PrototypeObject && name is "replace" or "split" => NativeCheck.RegexInFirstArgument,
                    _ => defaultCheck,
                };
                holder.DefineOwnProperty(
                    name,
                    new PropertyDescriptor(new GuardedNativeFunction(_engine, function, check, options, _stack), descriptor.Writable, descriptor.Enumerable, descriptor.Configurable),
                    throwOnError: true);
            }
        }
    }

    // The + operator exactly as Jint 2.10.4 evaluates it, with the string length checked before concatenating.
    private static JsValue Plus(JsValue left, JsValue right, int maxStringLength)
    {
        var leftPrimitive = TypeConverter.ToPrimitive(left);
        var rightPrimitive = TypeConverter.ToPrimitive(right);
        if (!leftPrimitive.IsString() && !rightPrimitive.IsString())
        {
            return new JsValue(TypeConverter.ToNumber(leftPrimitive) + TypeConverter.ToNumber(rightPrimitive));
        }

        var leftText = TypeConverter.ToString(leftPrimitive);
        var rightText = TypeConverter.ToString(rightPrimitive);
        return (long)leftText.Length + rightText.Length <= maxStringLength
            ? new JsValue(leftText + rightText)
            : throw new SandboxLimitException($"'+' would build a string of {(long)leftText.Length + rightText.Length} characters; the limit is {maxStringLength}.");
    }

    // Jint sets an error's message by assignment, which a frozen Error.prototype would silently block.
    private void KeepErrorPropertiesAssignableOnInstances()
    {
        foreach (var error in (ObjectInstance[])[_engine.Error, _engine.EvalError, _engine.RangeError, _engine.ReferenceError, _engine.SyntaxError, _engine.TypeError, _engine.UriError])
        {
            var prototype = error.Get("prototype").AsObject();
            InstancePropertyDefault.Install(_engine, prototype, "message");
            InstancePropertyDefault.Install(_engine, prototype, "name");
        }
    }

    // Built-in prototypes, the script's top-level constants and functions all become read-only: prototype pollution
    // throws, and a call cannot leave anything behind for the next call on this engine.
    private void FreezeReachableObjects()
    {
        var seen = new HashSet<ObjectInstance>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<ObjectInstance>();
        pending.Push(_engine.Global);
        while (pending.Count > 0)
        {
            var instance = pending.Pop();
            if (!seen.Add(instance))
            {
                continue;
            }

            if (instance.Prototype is { } prototype)
            {
                pending.Push(prototype);
            }

            foreach (var (_, descriptor) in instance.GetOwnProperties().ToList())
            {
                foreach (var value in (JsValue?[])[descriptor.Value, descriptor.Get, descriptor.Set])
                {
                    if (value is not null && value.IsObject())
                    {
                        pending.Push(value.AsObject());
                    }
                }
            }

            _engine.Object.Freeze(JsValue.Undefined, [instance]);
        }
    }
}
