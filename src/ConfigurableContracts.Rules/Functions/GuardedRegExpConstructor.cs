using System.Text.RegularExpressions;
using Jint;
using Jint.Native;
using Jint.Native.Function;
using Jint.Native.Object;
using Jint.Native.RegExp;
using Jint.Runtime;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// The <c>RegExp</c> a script sees. .NET parses a pattern in native code where no statement or time check runs, so
/// patterns longer than <see cref="JavaScriptFunctionOptions.MaxRegexLength"/> are refused before parsing; and every
/// expression gets the match timeout Jint 2.10.4 never sets.
/// </summary>
/// <remarks>
/// The timeout is set per instance because the only other way, the process-wide REGEX_DEFAULT_MATCH_TIMEOUT, would
/// change every regex in the server and only works if set before the first one is built.
/// </remarks>
internal sealed class GuardedRegExpConstructor : FunctionInstance, IConstructor
{
    private readonly JavaScriptFunctionOptions _options;

    public GuardedRegExpConstructor(Engine engine, JavaScriptFunctionOptions options)
        : base(engine, [], null, strict: true)
    {
        _options = options;
        Prototype = engine.Function.PrototypeObject;
        Extensible = true;
        FastAddProperty("length", 2, writable: false, enumerable: false, configurable: false);
        FastAddProperty("prototype", engine.RegExp.PrototypeObject, writable: false, enumerable: false, configurable: false);
    }

    public override JsValue Call(JsValue thisObject, JsValue[] arguments) =>
        arguments.At(0).IsRegExp() && arguments.At(1).IsUndefined() ? arguments[0] : Construct(arguments);

    public ObjectInstance Construct(JsValue[] arguments) => Create(Engine, arguments.At(0), arguments.At(1), _options);

    /// <summary>Builds a RegExp as <c>new RegExp(pattern, flags)</c> does, with the sandbox's bounds.</summary>
    public static RegExpInstance Create(Engine engine, JsValue pattern, JsValue flags, JavaScriptFunctionOptions options)
    {
        if (pattern.TryCast<RegExpInstance>() is { } existing && flags.IsUndefined())
        {
            return BoundMatchTime(existing, options);
        }

        // Each value is converted to text once, so a toString that answers differently the second time cannot
        // slip a long pattern past the check.
        var text = pattern.IsUndefined() ? "" : TypeConverter.ToString(pattern);
        if (text.Length > options.MaxRegexLength)
        {
            throw new SandboxLimitException($"a regular expression pattern is {text.Length} characters long; the limit is {options.MaxRegexLength}.");
        }

        var flagText = flags.IsUndefined() ? JsValue.Undefined : new JsValue(TypeConverter.ToString(flags));
        var instance = (RegExpInstance)engine.RegExp.Construct([new JsValue(text), flagText]);
        return BoundMatchTime(instance, options);
    }

    /// <summary>Gives an existing RegExp (for example one built by Jint itself) the match timeout.</summary>
    public static RegExpInstance BoundMatchTime(RegExpInstance instance, JavaScriptFunctionOptions options)
    {
        if (instance.Value is { } regex && regex.MatchTimeout != options.RegexTimeout)
        {
            instance.Value = new Regex(regex.ToString(), regex.Options, options.RegexTimeout);
        }

        return instance;
    }
}
