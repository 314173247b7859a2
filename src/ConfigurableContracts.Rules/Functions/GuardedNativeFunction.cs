using System.Globalization;
using System.Text;
using Jint;
using Jint.Native;
using Jint.Native.Function;
using Jint.Native.RegExp;
using Jint.Runtime;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>What a guarded built-in checks before it runs, beyond the stack.</summary>
internal enum NativeCheck
{
    None,

    /// <summary>Array.prototype methods loop over <c>this.length</c> in native code, out of reach of the time limit.</summary>
    ArrayLengthOfThis,

    /// <summary>Function.prototype.apply copies its argument array in native code.</summary>
    ArrayLengthOfSecondArgument,

    /// <summary>Array.prototype.concat walks every array argument.</summary>
    ArrayLengthOfArguments,

    /// <summary>RegExp.prototype.exec/test match with <c>this</c>.</summary>
    RegexThis,

    /// <summary>String.prototype.match/search turn any first argument into a RegExp.</summary>
    RegexFromFirstArgument,

    /// <summary>String.prototype.replace/split match when their first argument is a RegExp.</summary>
    RegexInFirstArgument,

    /// <summary>Array.prototype.join, reimplemented with the string length limit (Array toString uses it too).</summary>
    BoundedJoin,

    /// <summary>String.prototype.concat, reimplemented with the string length limit.</summary>
    BoundedConcat,
}

/// <summary>
/// Stands in for one of Jint's built-in functions. Built-ins look each other up by name at run time (ToPrimitive
/// finds <c>toString</c>, <c>toLocaleString</c> calls <c>this.toString</c>), so a script could chain them into a
/// cycle that never enters script code; replacing every built-in with this wrapper puts a stack check in every such
/// cycle, and adds the length and regex checks the native loops lack.
/// </summary>
internal sealed class GuardedNativeFunction : FunctionInstance
{
    private readonly FunctionInstance _target;
    private readonly NativeCheck _check;
    private readonly JavaScriptFunctionOptions _options;
    private readonly StackBudget _stack;

    public GuardedNativeFunction(Engine engine, FunctionInstance target, NativeCheck check, JavaScriptFunctionOptions options, StackBudget stack)
        : base(engine, [], null, strict: true)
    {
        _stack = stack;
        _target = target;
        _check = check;
        _options = options;
        Prototype = engine.Function.PrototypeObject;
        Extensible = true;
        FastAddProperty("length", target.Get("length"), writable: false, enumerable: false, configurable: false);
    }

    public override JsValue Call(JsValue thisObject, JsValue[] arguments)
    {
        _stack.Check();
        switch (_check)
        {
            case NativeCheck.ArrayLengthOfThis:
                RequireShortArray(thisObject);
                break;
            case NativeCheck.ArrayLengthOfSecondArgument:
                RequireShortArray(arguments.Length > 1 ? arguments[1] : JsValue.Undefined);
                break;
            case NativeCheck.ArrayLengthOfArguments:
                RequireShortArray(thisObject);
                foreach (var argument in arguments)
                {
                    RequireShortArray(argument);
                }

                break;
            case NativeCheck.RegexThis:
                BoundMatchTime(thisObject);
                break;
            case NativeCheck.RegexFromFirstArgument:
                arguments = [.. arguments];
                if (arguments.Length == 0)
                {
                    arguments = [JsValue.Undefined];
                }

                arguments[0] = GuardedRegExpConstructor.Create(Engine, arguments[0], JsValue.Undefined, _options);
                break;
            case NativeCheck.RegexInFirstArgument:
                if (arguments.Length > 0)
                {
                    BoundMatchTime(arguments[0]);
                }

                break;
            case NativeCheck.BoundedJoin:
                RequireShortArray(thisObject);
                return Join(thisObject, arguments);
            case NativeCheck.BoundedConcat:
                return Concat(thisObject, arguments);
        }

        return _target.Call(thisObject, arguments);
    }

    // ES5 15.4.4.5, step by step, so the result can be checked while it grows rather than after .NET has tried to
    // allocate it.
    private JsValue Join(JsValue thisObject, JsValue[] arguments)
    {
        var instance = TypeConverter.ToObject(Engine, thisObject);
        var length = TypeConverter.ToUint32(instance.Get("length"));
        var separator = arguments.At(0).IsUndefined() ? "," : TypeConverter.ToString(arguments.At(0));
        var text = new StringBuilder();
        for (uint index = 0; index < length; index++)
        {
            if (index > 0)
            {
                Append(text, separator);
            }

            var element = instance.Get(index.ToString(CultureInfo.InvariantCulture));
            if (!element.IsUndefined() && !element.IsNull())
            {
                Append(text, TypeConverter.ToString(element));
            }
        }

        return new JsValue(text.ToString());
    }

    // ES5 15.5.4.6.
    private JsValue Concat(JsValue thisObject, JsValue[] arguments)
    {
        TypeConverter.CheckObjectCoercible(Engine, thisObject);
        var text = new StringBuilder();
        Append(text, TypeConverter.ToString(thisObject));
        foreach (var argument in arguments)
        {
            Append(text, TypeConverter.ToString(argument));
        }

        return new JsValue(text.ToString());
    }

    private void Append(StringBuilder text, string part)
    {
        if ((long)text.Length + part.Length > _options.MaxStringLength)
        {
            throw new SandboxLimitException($"a built-in would build a string of more than {_options.MaxStringLength} characters.");
        }

        text.Append(part);
    }

    private void RequireShortArray(JsValue value)
    {
        if (!value.IsObject())
        {
            return;
        }

        var length = TypeConverter.ToNumber(value.AsObject().Get("length"));
        if (length > _options.MaxArrayLength)
        {
            throw new SandboxLimitException($"a built-in array method was given {length} elements; the limit is {_options.MaxArrayLength}.");
        }
    }

    private void BoundMatchTime(JsValue value)
    {
        if (value.TryCast<RegExpInstance>() is { } instance)
        {
            GuardedRegExpConstructor.BoundMatchTime(instance, _options);
        }
    }
}
