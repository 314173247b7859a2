using Jint;
using Jint.Native;
using Jint.Native.Date;
using Jint.Native.Function;
using Jint.Native.Object;
using Jint.Runtime;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// The <c>Date</c> a script sees. It builds dates from explicit values exactly as the built-in does, and refuses the
/// two forms that read the clock (<c>Date()</c> and <c>new Date()</c>), so a rule evaluated again later gives the
/// same answer. Rules get "today" from their <c>asOf</c> input instead.
/// </summary>
internal sealed class DeterministicDateConstructor : FunctionInstance, IConstructor
{
    private readonly DateConstructor _builtIn;

    public DeterministicDateConstructor(Engine engine)
        : base(engine, [], null, strict: true)
    {
        _builtIn = engine.Date;
        Prototype = engine.Function.PrototypeObject;
        Extensible = true;
        FastAddProperty("length", 7, writable: false, enumerable: false, configurable: false);
        FastAddProperty("prototype", _builtIn.PrototypeObject, writable: false, enumerable: false, configurable: false);
        foreach (var name in (string[])["parse", "UTC"])
        {
            FastAddProperty(name, _builtIn.Get(name), writable: true, enumerable: false, configurable: true);
        }
    }

    public override JsValue Call(JsValue thisObject, JsValue[] arguments) =>
        throw new JavaScriptException(Engine.TypeError, "Date() reads the clock, which rule functions may not do; use new Date(year, month, day) or a date passed in.");

    public ObjectInstance Construct(JsValue[] arguments) =>
        arguments.Length == 0
            ? throw new JavaScriptException(Engine.TypeError, "new Date() without arguments reads the clock, which rule functions may not do; pass the date in (e.g. asOf).")
            : _builtIn.Construct(arguments);
}
