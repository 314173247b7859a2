using System.Globalization;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// Converts between the rule engine's value model (null, bool, long, decimal, string, DateTime, lists and
/// string-keyed dictionaries) and JavaScript values. It never uses Jint's reflection-based conversion, which would
/// hand the script CLR objects, and it reads results through property descriptors so no script getter runs after the
/// call has returned.
/// </summary>
internal sealed class JavaScriptValueMarshaller(Engine engine, JavaScriptFunctionOptions options)
{
    private static readonly DateTime Epoch = DateTime.UnixEpoch;

    public JsValue[] ToJavaScript(IReadOnlyList<object?> arguments)
    {
        var values = new JsValue[arguments.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ToJavaScript(arguments[i], 1);
        }

        return values;
    }

    private JsValue ToJavaScript(object? value, int depth)
    {
        if (depth > options.MaxValueDepth)
        {
            throw new RuleFunctionException($"an argument nests deeper than {options.MaxValueDepth} levels.");
        }

        switch (value)
        {
            case null:
                return JsValue.Null;
            case bool b:
                return b ? JsBoolean.True : JsBoolean.False;
            case long l:
                return JsNumber.Create(l);
            case int i:
                return JsNumber.Create(i);
            case decimal m:
                return JsNumber.Create((double)m);
            case double d:
                return JsNumber.Create(d);
            case string s:
                return new JsString(s);
            case DateTime dateTime:
                // Dates without a kind are calendar dates; the sandbox's time zone is UTC, so they stay the same day.
                var utc = dateTime.Kind == DateTimeKind.Local ? dateTime.ToUniversalTime() : dateTime;
                return new JsDate(engine, (long)(utc - Epoch).TotalMilliseconds);
            case IReadOnlyDictionary<string, object?> dictionary:
                var instance = new JsObject(engine);
                foreach (var (key, item) in dictionary)
                {
                    instance.CreateDataProperty(key, ToJavaScript(item, depth + 1));
                }

                return instance;
            case IReadOnlyList<object?> list:
                if (list.Count > options.MaxArrayLength)
                {
                    throw new RuleFunctionException($"an argument array has {list.Count} elements; the limit is {options.MaxArrayLength}.");
                }

                var elements = new JsValue[list.Count];
                for (var i = 0; i < elements.Length; i++)
                {
                    elements[i] = ToJavaScript(list[i], depth + 1);
                }

                return new JsArray(engine, elements);
            default:
                throw new RuleFunctionException($"an argument of type {value.GetType().Name} is not a rule value.");
        }
    }

    /// <summary>Converts a result, checking it against the function's declared <c>@returns</c> type.</summary>
    public object? FromJavaScript(JsValue value, string declaredType)
    {
        var result = FromJavaScript(value, declaredType, 1);
        var matches = (declaredType, result) switch
        {
            (_, null) or ("any", _) => true,
            ("number", decimal) or ("integer", long) or ("string", string) or ("boolean", bool) or ("date", DateTime) => true,
            _ => false,
        };
        return matches
            ? result
            : throw new RuleFunctionException($"declares @returns {{{declaredType}}} but returned {Describe(value)}.");
    }

    private object? FromJavaScript(JsValue value, string declaredType, int depth)
    {
        if (depth > options.MaxValueDepth)
        {
            throw new RuleFunctionException($"returned a value nested deeper than {options.MaxValueDepth} levels.");
        }

        if (value.IsUndefined() || value.IsNull())
        {
            return null;
        }

        if (value.IsBoolean())
        {
            return value.AsBoolean();
        }

        if (value.IsString())
        {
            return value.AsString();
        }

        if (value.IsNumber())
        {
            return FromNumber(value.AsNumber(), declaredType);
        }

        // Plain objects only (literals and class instances): a Proxy, Map, Promise, Error or function is refused
        // without touching it, so no trap, getter or toString of the script runs after the call has returned.
        return value switch
        {
            JsDate date => FromDate(date),
            JsArray array => FromArray(array, depth),
            JsObject instance => FromObject(instance, depth),
            _ => throw new RuleFunctionException($"returned {Describe(value)}, which is not a rule value."),
        };
    }

    private static object FromNumber(double number, string declaredType)
    {
        if (double.IsNaN(number) || double.IsInfinity(number))
        {
            throw new RuleFunctionException($"returned {number.ToString(CultureInfo.InvariantCulture)}, which is not a number a rule can use.");
        }

        return declaredType == "integer" ? (object)ToInteger(number) : ToDecimal(number);
    }

    private static long ToInteger(double number) =>
        // 2^63 is exactly representable as a double; anything at or past it does not fit in a long.
        Math.Floor(number) == number && number >= -9.2233720368547758E18 && number < 9.2233720368547758E18
            ? (long)number
            : throw new RuleFunctionException($"declares @returns {{integer}} but returned {number.ToString("R", CultureInfo.InvariantCulture)}.");

    // The decimal conversion keeps 15 significant digits, so 0.1 + 0.2 comes back as 0.3, as a designer expects.
    private static decimal ToDecimal(double number) =>
        Math.Abs(number) < 7.9E28
            ? (decimal)number
            : throw new RuleFunctionException($"returned {number.ToString("R", CultureInfo.InvariantCulture)}, which is too large for a decimal.");

    private static DateTime FromDate(JsDate date)
    {
        var milliseconds = date.DateValue;
        const double MaxMilliseconds = 253402300799999; // 9999-12-31T23:59:59.999Z
        const double MinMilliseconds = -62135596800000; // 0001-01-01T00:00:00Z
        return double.IsNaN(milliseconds) || milliseconds > MaxMilliseconds || milliseconds < MinMilliseconds
            ? throw new RuleFunctionException("returned an invalid Date.")
            : Epoch.AddMilliseconds(milliseconds);
    }

    private List<object?> FromArray(JsArray array, int depth)
    {
        var length = TypeConverter.ToNumber(ReadData(array, "length"));
        if (length > options.MaxArrayLength)
        {
            throw new RuleFunctionException($"returned an array of {length} elements; the limit is {options.MaxArrayLength}.");
        }

        var items = new List<object?>((int)length);
        for (var i = 0; i < (int)length; i++)
        {
            items.Add(FromJavaScript(ReadData(array, i.ToString(CultureInfo.InvariantCulture)), "any", depth + 1));
        }

        return items;
    }

    private Dictionary<string, object?> FromObject(ObjectInstance instance, int depth)
    {
        var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, descriptor) in instance.GetOwnProperties())
        {
            if (!descriptor.Enumerable || !key.IsString())
            {
                continue;
            }

            var name = key.AsString();
            if (properties.Count >= options.MaxArrayLength)
            {
                throw new RuleFunctionException($"returned an object with more than {options.MaxArrayLength} properties.");
            }

            properties[name] = FromJavaScript(DataValue(descriptor, name), "any", depth + 1);
        }

        return properties;
    }

    private static JsValue ReadData(ObjectInstance instance, string name) =>
        instance.GetOwnProperty(name) is { } descriptor && descriptor != PropertyDescriptor.Undefined
            ? DataValue(descriptor, name)
            : JsValue.Undefined;

    private static JsValue DataValue(PropertyDescriptor descriptor, string name) =>
        descriptor.IsAccessorDescriptor()
            ? throw new RuleFunctionException($"returned an object whose property '{name}' is a getter; return plain data.")
            : descriptor.Value ?? JsValue.Undefined;

    /// <summary>Names a value's kind for messages without running any of the script's code.</summary>
    public static string Describe(JsValue value)
    {
        if (value.IsUndefined())
        {
            return "undefined";
        }

        if (value.IsNull())
        {
            return "null";
        }

        if (value.IsBoolean())
        {
            return value.AsBoolean() ? "true" : "false";
        }

        if (value.IsNumber())
        {
            return "the number " + value.AsNumber().ToString("R", CultureInfo.InvariantCulture);
        }

        if (value.IsString())
        {
            var text = value.AsString();
            return "the string \"" + (text.Length > 80 ? text[..80] + "…" : text) + "\"";
        }

        if (value.IsSymbol())
        {
            return "a Symbol";
        }

        if (value.IsBigInt())
        {
            return "a BigInt";
        }

        // The .NET type names the kind (JsMap, JsPromise, GeneratorInstance…) without running any script code.
        var kind = value.GetType().Name;
        kind = kind.StartsWith("Js", StringComparison.Ordinal) && kind.Length > 2 && char.IsUpper(kind[2]) ? kind[2..] : kind;
        kind = kind.EndsWith("Instance", StringComparison.Ordinal) ? kind[..^"Instance".Length] : kind;
        return value.IsCallable() ? "a function" : $"a {kind} object";
    }
}
