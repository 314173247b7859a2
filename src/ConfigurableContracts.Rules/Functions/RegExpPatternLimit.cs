using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Interop;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// Stands in front of the <c>RegExp</c> constructor a script sees (as a proxy, so <c>new</c>, <c>instanceof</c> and
/// <c>extends RegExp</c> keep working) and refuses patterns longer than
/// <see cref="JavaScriptFunctionOptions.MaxRegexLength"/>. Jint 4 bounds the time a match takes, but not the time
/// building a regex takes: that happens in one native step where no time check runs, and a 200 000-group pattern
/// takes about a second to build.
/// </summary>
/// <remarks>
/// The traps build the RegExp themselves, with the checked arguments, rather than forwarding (which would hand the
/// target the original arguments and convert the pattern a second time). <c>Reflect.construct</c> keeps
/// <c>new.target</c>, so subclasses still get their own prototype.
/// </remarks>
internal sealed class RegExpPatternLimit(Engine engine, JavaScriptFunctionOptions options) : ProxyHandler
{
    private readonly JsValue _construct = engine.Global.Get("Reflect").Get("construct");

    public override JsValue? Apply(ObjectInstance target, JsValue thisArgument, JsValue[] arguments)
    {
        arguments = [.. arguments];
        Check(arguments);
        return engine.Call(target, thisArgument, arguments);
    }

    public override ObjectInstance? Construct(ObjectInstance target, JsValue[] arguments, JsValue newTarget)
    {
        arguments = [.. arguments];
        Check(arguments);
        return engine.Call(_construct, JsValue.Undefined, [target, new JsArray(engine, arguments), newTarget]).AsObject();
    }

    /// <summary>
    /// Throws when a pattern is too long. The argument is converted to text once and replaced by that text, so a
    /// <c>toString</c> that answers differently the second time cannot slip a long pattern past the check.
    /// </summary>
    public void Check(JsValue[] arguments)
    {
        if (arguments.Length == 0 || arguments[0].IsUndefined() || arguments[0].IsRegExp())
        {
            // No pattern, or a RegExp whose source was checked when it was built.
            return;
        }

        var text = TypeConverter.ToString(arguments[0]);
        if (text.Length > options.MaxRegexLength)
        {
            throw new SandboxLimitException($"a regular expression pattern is {text.Length} characters long; the limit is {options.MaxRegexLength}.");
        }

        arguments[0] = new JsString(text);
    }
}
