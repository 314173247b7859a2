using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Jint;
using Jint.Native;
using Jint.Native.Error;
using Jint.Native.Function;
using Jint.Native.Object;
using Jint.Native.Symbol;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// Replaces every built-in function a script can reach with a wrapper that checks what Jint 4's own constraints do
/// not, measured on Jint 4.18:
/// <list type="bullet">
/// <item>the stack (<see cref="StackBudget"/>): Jint's stack guard probes on entry into script functions only, so
/// built-ins that look each other up by name (<c>o.toString = Object.prototype.toLocaleString; String(o)</c>, an
/// error whose message is itself) recurse in .NET until the process dies. Jint counts the wrappers, which are host
/// functions, in its per-function recursion limit, which usually stops such a cycle first;</item>
/// <item>time: Jint checks its timeout between statements, and a long run of built-in calls passes none;</item>
/// <item>chains of <c>bind</c>: a bound function calls its target from .NET, so a chain of them recurses as deep as
/// it is long, past the per-function recursion count; <c>flat</c> likewise recurses once per level of nesting;</item>
/// <item>strings built in one native step: <c>join</c>, <c>toLocaleString</c>, <c>concat</c>, <c>repeat</c>,
/// <c>padStart</c>/<c>padEnd</c> and <c>replace</c> with a string replacement can build gigabytes before the memory
/// limit is next checked (between statements), and <c>String(a)</c> of an array nested as a DAG does 2^40 work;</item>
/// <item>array-likes with a huge <c>length</c> passed as <c>this</c> to array methods, which Jint's array size limit
/// does not see;</item>
/// <item>patterns <c>match</c>, <c>matchAll</c> and <c>search</c> turn into a RegExp inside Jint, past the
/// <see cref="RegExpPatternLimit"/> on the constructor.</item>
/// </list>
/// </summary>
/// <remarks>
/// A wrapper calls the built-in through <see cref="Engine.Call(JsValue, JsValue, JsValue[])"/>, which inside a
/// running call is not a new top-level entry: the statement, time and memory budgets carry on. Aliases (for example
/// <c>Array.prototype.values</c> and <c>Array.prototype[Symbol.iterator]</c>) share one wrapper, so they stay the
/// same function.
/// </remarks>
internal sealed class BuiltInGuards
{
    private enum Check
    {
        None,
        ArrayLengthOfThis,
        Join,
        LocaleJoin,
        Concat,
        Repeat,
        PadStart,
        PadEnd,
        ReplaceOnString,
        ReplaceOnRegExp,
        PatternFromFirstArgument,
        Bind,
        Flat,
    }

    private readonly Engine _engine;
    private readonly JavaScriptFunctionOptions _options;
    private readonly RegExpPatternLimit _patterns;
    private readonly StackBudget _stack;
    private readonly ObjectInstance _arrayPrototype;
    private readonly ObjectInstance _stringPrototype;
    private readonly ObjectInstance _regExpPrototype;
    private readonly ObjectInstance _functionPrototype;
    private readonly ConditionalWeakTable<ObjectInstance, StrongBox<int>> _bindDepth = [];
    private readonly ErrorConstructor _rangeError;
    private long _deadline = long.MaxValue;
    private readonly Dictionary<ObjectInstance, ClrFunction> _wrappers = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<ObjectInstance> _installed = new(ReferenceEqualityComparer.Instance);

    // The arrays being joined on this thread, so a cyclic array joins its own occurrence as "" as browsers do,
    // instead of recursing until the stack check stops the call.
    [ThreadStatic]
    private static HashSet<ObjectInstance>? _joining;

    public BuiltInGuards(Engine engine, JavaScriptFunctionOptions options, RegExpPatternLimit patterns, StackBudget stack)
    {
        _stack = stack;
        _engine = engine;
        _options = options;
        _patterns = patterns;
        _arrayPrototype = engine.Intrinsics.Array.PrototypeObject;
        _stringPrototype = engine.Global.Get("String").Get("prototype").AsObject();
        _regExpPrototype = engine.Intrinsics.RegExp.Get("prototype").AsObject();
        _functionPrototype = engine.Intrinsics.Function.Get("prototype").AsObject();
        _rangeError = (ErrorConstructor)engine.Global.Get("RangeError");
    }

    /// <summary>Wraps the built-in functions held by every object reachable from <paramref name="roots"/>.</summary>
    public void Install(IEnumerable<ObjectInstance> roots)
    {
        foreach (var holder in ReachableObjects.From(roots))
        {
            foreach (var (key, descriptor) in holder.GetOwnProperties().ToList())
            {
                var check = CheckFor(holder, key);

                if (descriptor.IsAccessorDescriptor())
                {
                    var get = Wrap(descriptor.Get, Check.None);
                    var set = Wrap(descriptor.Set, Check.None);
                    if (!ReferenceEquals(get, descriptor.Get) || !ReferenceEquals(set, descriptor.Set))
                    {
                        holder.DefineOwnProperty(key, new GetSetPropertyDescriptor(get, set, descriptor.Enumerable, descriptor.Configurable));
                    }
                }
                else if (Wrap(descriptor.Value, check) is var wrapped && !ReferenceEquals(wrapped, descriptor.Value))
                {
                    holder.DefineOwnProperty(key, new PropertyDescriptor(wrapped, descriptor.Writable, descriptor.Enumerable, descriptor.Configurable));
                }
            }
        }
    }

    private Check CheckFor(ObjectInstance holder, JsValue key)
    {
        if (holder == _regExpPrototype)
        {
            return key == GlobalSymbolRegistry.Replace ? Check.ReplaceOnRegExp : Check.None;
        }

        var name = key.IsString() ? key.AsString() : null;
        if (holder == _functionPrototype)
        {
            return name == "bind" ? Check.Bind : Check.None;
        }

        if (holder == _arrayPrototype)
        {
            return name switch
            {
                "join" => Check.Join,
                "toLocaleString" => Check.LocaleJoin,
                "flat" => Check.Flat,
                _ => Check.ArrayLengthOfThis,
            };
        }

        return holder != _stringPrototype
            ? Check.None
            : name switch
            {
                "concat" => Check.Concat,
                "repeat" => Check.Repeat,
                "padStart" => Check.PadStart,
                "padEnd" => Check.PadEnd,
                "replace" or "replaceAll" => Check.ReplaceOnString,
                "match" or "matchAll" or "search" => Check.PatternFromFirstArgument,
                _ => Check.None,
            };
    }

    /// <summary>
    /// Starts a call's time budget. Jint checks its timeout between statements; a script that spends its time in a
    /// long run of built-in calls (joining an array nested as a DAG) would pass no statement, so each built-in checks
    /// the same deadline.
    /// </summary>
    public void StartCall() => _deadline = Stopwatch.GetTimestamp() + (long)(_options.Timeout.TotalSeconds * Stopwatch.Frequency);

    // Constructors are left alone: they do not read `this`, so they cannot take part in a lookup cycle, and a
    // wrapper could not be used with `new`.
    private JsValue? Wrap(JsValue? value, Check check)
    {
        if (value is not Function target || value.IsConstructor() || _installed.Contains(target))
        {
            return value;
        }

        if (!_wrappers.TryGetValue(target, out var wrapper))
        {
            var name = target.Get("name") is { } n && n.IsString() ? n.AsString() : "";
            var length = (int)TypeConverter.ToNumber(target.Get("length"));
            wrapper = new ClrFunction(_engine, name, (thisObject, arguments) => Call(target, check, thisObject, arguments), length, PropertyFlag.Configurable);
            _wrappers[target] = wrapper;
            _installed.Add(wrapper);
        }

        return wrapper;
    }

    private JsValue Call(Function target, Check check, JsValue thisObject, JsValue[] arguments)
    {
        _stack.Check();
        if (Stopwatch.GetTimestamp() > _deadline)
        {
            throw new TimeoutException($"built-in calls ran past the {_options.Timeout.TotalMilliseconds} ms time limit.");
        }

        switch (check)
        {
            case Check.ArrayLengthOfThis:
                RequireShortArray(thisObject);
                break;
            case Check.Join:
                return Join(thisObject, arguments.Length > 0 ? arguments[0] : JsValue.Undefined, locale: false);
            case Check.LocaleJoin:
                return Join(thisObject, JsValue.Undefined, locale: true);
            case Check.Concat:
                return Concat(thisObject, arguments);
            case Check.Repeat:
                return Repeat(thisObject, arguments);
            case Check.PadStart or Check.PadEnd:
                return Pad(thisObject, arguments, atStart: check == Check.PadStart);
            case Check.ReplaceOnString when arguments.Length > 1:
                // The subject is converted once and handed on as text, so its toString runs once, as in the built-in.
                var subject = CoercibleString(thisObject, "replace");
                thisObject = new JsString(subject);
                arguments = [.. arguments];
                BoundReplacement(subject, arguments, replacementIndex: 1);
                break;
            case Check.ReplaceOnRegExp when arguments.Length > 1:
                arguments = [.. arguments];
                arguments[0] = new JsString(TypeConverter.ToString(arguments[0]));
                BoundReplacement(arguments[0].AsString(), arguments, replacementIndex: 1);
                break;
            case Check.Flat:
                RequireShortArray(thisObject);
                arguments = [.. arguments];
                var depth = arguments.Length == 0 || arguments[0].IsUndefined() ? 1 : TypeConverter.ToIntegerOrInfinity(arguments[0]);
                if (arguments.Length > 0)
                {
                    // Converted once here and handed on as a number, so a valueOf on the argument runs once.
                    arguments[0] = JsNumber.Create(depth);
                }

                if (depth > _options.MaxRecursionDepth && NestsDeeperThan(thisObject, _options.MaxRecursionDepth))
                {
                    throw new SandboxLimitException($"flat would descend into arrays nested more than {_options.MaxRecursionDepth} levels deep; the limit is {_options.MaxRecursionDepth}.");
                }

                break;
            case Check.Bind:
                return Bind(target, thisObject, arguments);
            case Check.PatternFromFirstArgument:
                arguments = [.. arguments];
                _patterns.Check(arguments);
                break;
        }

        return _engine.Call(target, thisObject, arguments);
    }

    // A bound function calls its target from .NET; a chain of binds is refused where it grows past the recursion limit,
    // on every thread alike, rather than wherever the thread's stack happens to run out when it is called.
    private JsValue Bind(Function target, JsValue thisObject, JsValue[] arguments)
    {
        var depth = thisObject is ObjectInstance bound && _bindDepth.TryGetValue(bound, out var known) ? known.Value + 1 : 1;
        if (depth > _options.MaxRecursionDepth)
        {
            throw new SandboxLimitException($"bound a function that was already bound {depth - 1} times; the limit is {_options.MaxRecursionDepth}.");
        }

        var result = _engine.Call(target, thisObject, arguments);
        if (result is ObjectInstance function)
        {
            _bindDepth.AddOrUpdate(function, new StrongBox<int>(depth));
        }

        return result;
    }

    // Array.prototype.flat recurses in .NET once per level of nesting, where only Jint's stack guard would stop it, at a
    // depth that depends on the thread. The nesting is measured first, over the arrays' own data properties (no getter
    // runs twice), without recursion, and a cycle counts as nesting without end.
    private bool NestsDeeperThan(JsValue value, int limit)
    {
        var onPath = new HashSet<ObjectInstance>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(ObjectInstance Array, int Depth, bool Leaving)>();
        var inspected = 0;
        if (value is ObjectInstance root && value.IsArray())
        {
            pending.Push((root, 0, false));
        }

        while (pending.Count > 0)
        {
            var (array, depth, leaving) = pending.Pop();
            if (leaving)
            {
                onPath.Remove(array);
                continue;
            }

            if (depth > limit || !onPath.Add(array))
            {
                return true;
            }

            pending.Push((array, depth, true));
            var length = TypeConverter.ToLength(array.GetOwnProperty("length").Value ?? JsValue.Undefined);
            for (ulong index = 0; index < length && inspected++ < _options.MaxArrayLength; index++)
            {
                if (array.GetOwnProperty((double)index) is { Value: ObjectInstance element } descriptor && descriptor.IsDataDescriptor() && element.IsArray())
                {
                    pending.Push((element, depth + 1, false));
                }
            }
        }

        return false;
    }

    // Array.prototype.join and toLocaleString (ECMAScript 2024 23.1.3.18 and 23.1.3.32), checked while the result
    // grows rather than after .NET has tried to allocate it.
    private JsString Join(JsValue thisObject, JsValue separatorArgument, bool locale)
    {
        var instance = thisObject.IsNull() || thisObject.IsUndefined()
            ? throw new JavaScriptException(_engine.Intrinsics.TypeError, "Array.prototype.join called on null or undefined")
            : ToObject(thisObject);
        var length = RequireShortArray(instance);
        var separator = separatorArgument.IsUndefined() ? "," : TypeConverter.ToString(separatorArgument);
        _joining ??= new HashSet<ObjectInstance>(ReferenceEqualityComparer.Instance);
        if (!_joining.Add(instance))
        {
            return JsString.Empty;
        }

        try
        {
            var text = new StringBuilder();
            for (ulong index = 0; index < length; index++)
            {
                if (index > 0)
                {
                    Append(text, separator);
                }

                var element = instance.Get((double)index);
                if (element.IsUndefined() || element.IsNull())
                {
                    continue;
                }

                Append(text, locale
                    ? TypeConverter.ToString(_engine.Call(ToObject(element).Get("toLocaleString"), element, []))
                    : TypeConverter.ToString(element));
            }

            return new JsString(text.ToString());
        }
        finally
        {
            _joining.Remove(instance);
        }
    }

    // ToObject (7.1.18) for a value known not to be null or undefined: Object(value) wraps a primitive.
    private ObjectInstance ToObject(JsValue value) => value as ObjectInstance ?? _engine.Intrinsics.Object.Construct([value]);

    // String.prototype.concat (22.1.3.5).
    private JsString Concat(JsValue thisObject, JsValue[] arguments)
    {
        var text = new StringBuilder();
        Append(text, CoercibleString(thisObject, "concat"));
        foreach (var argument in arguments)
        {
            Append(text, TypeConverter.ToString(argument));
        }

        return new JsString(text.ToString());
    }

    // String.prototype.repeat (22.1.3.18), with the result's length known before it is built.
    private JsString Repeat(JsValue thisObject, JsValue[] arguments)
    {
        var text = CoercibleString(thisObject, "repeat");
        var count = TypeConverter.ToIntegerOrInfinity(arguments.Length > 0 ? arguments[0] : JsValue.Undefined);
        if (count < 0 || double.IsInfinity(count))
        {
            throw new JavaScriptException(_rangeError, $"Invalid count value: {count}");
        }

        RequireShortString(text.Length * count);
        return new JsString(new StringBuilder(text.Length * (int)count).Insert(0, text, (int)count).ToString());
    }

    // String.prototype.padStart and padEnd (22.1.3.16, 22.1.3.17).
    private JsString Pad(JsValue thisObject, JsValue[] arguments, bool atStart)
    {
        var text = CoercibleString(thisObject, atStart ? "padStart" : "padEnd");
        var maxLength = (double)TypeConverter.ToLength(arguments.Length > 0 ? arguments[0] : JsValue.Undefined);
        var filler = arguments.Length > 1 && !arguments[1].IsUndefined() ? TypeConverter.ToString(arguments[1]) : " ";
        if (maxLength <= text.Length || filler.Length == 0)
        {
            return new JsString(text);
        }

        RequireShortString(maxLength);
        var padding = new StringBuilder((int)maxLength - text.Length);
        while (padding.Length < (int)maxLength - text.Length)
        {
            padding.Append(filler, 0, Math.Min(filler.Length, (int)maxLength - text.Length - padding.Length));
        }

        return new JsString(atStart ? padding.Append(text).ToString() : text + padding);
    }

    // A string replacement is expanded once per match in native code. Matches do not overlap, so `$&`, `$1` and
    // `$<name>` add at most the subject's length each over all matches; `` $` `` and `$'` add up to it per match.
    // The bound is checked before matching; a function replacement runs script, where the memory limit is checked.
    private void BoundReplacement(string subject, JsValue[] arguments, int replacementIndex)
    {
        if (arguments[replacementIndex].IsCallable())
        {
            return;
        }

        var replacement = TypeConverter.ToString(arguments[replacementIndex]);
        arguments[replacementIndex] = new JsString(replacement);
        double literal = 0, perMatchSubject = 0, overAllMatches = 0;
        for (var i = 0; i < replacement.Length; i++)
        {
            if (replacement[i] != '$' || i + 1 == replacement.Length)
            {
                literal++;
                continue;
            }

            switch (replacement[i + 1])
            {
                case '`' or '\'':
                    perMatchSubject++;
                    i++;
                    break;
                case '&' or '<' or (>= '0' and <= '9'):
                    overAllMatches++;
                    i++;
                    break;
                default:
                    literal++;
                    break;
            }
        }

        var matches = subject.Length + 1.0;
        RequireShortString(subject.Length + (matches * (literal + (perMatchSubject * subject.Length))) + (overAllMatches * subject.Length));
    }

    private string CoercibleString(JsValue thisObject, string method) =>
        thisObject.IsNull() || thisObject.IsUndefined()
            ? throw new JavaScriptException(_engine.Intrinsics.TypeError, $"String.prototype.{method} called on null or undefined")
            : TypeConverter.ToString(thisObject);

    private void Append(StringBuilder text, string part)
    {
        RequireShortString((double)text.Length + part.Length);
        text.Append(part);
    }

    private void RequireShortString(double length)
    {
        if (length > _options.MaxStringLength)
        {
            throw new SandboxLimitException($"a built-in would build a string of {length:0} or more characters; the limit is {_options.MaxStringLength}.");
        }
    }

    private ulong RequireShortArray(JsValue value)
    {
        if (!value.IsObject())
        {
            return 0;
        }

        var length = TypeConverter.ToLength(value.AsObject().Get("length"));
        return length > (ulong)_options.MaxArrayLength
            ? throw new SandboxLimitException($"a built-in array method was given {length} elements; the limit is {_options.MaxArrayLength}.")
            : length;
    }
}
