using Jint;
using Jint.Native;
using Jint.Native.Function;
using Jint.Runtime.Descriptors;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// Turns a frozen prototype's data property into a getter/setter pair that reads the prototype's default and writes
/// to the instance. In ES5 a read-only inherited property also blocks plain assignment on every instance (the
/// "override mistake"), so after the sandbox freezes <c>Error.prototype</c>, <c>new Error("x")</c> would silently
/// lose its message; with this pair, instances keep working while the prototype itself stays unchangeable.
/// </summary>
internal static class InstancePropertyDefault
{
    public static void Install(Engine engine, Jint.Native.Object.ObjectInstance prototype, string name)
    {
        var current = prototype.GetOwnProperty(name);
        if (current == PropertyDescriptor.Undefined || !current.IsDataDescriptor())
        {
            return;
        }

        prototype.DefineOwnProperty(
            name,
            new PropertyDescriptor(new DefaultGetter(engine, current.Value ?? JsValue.Undefined), new OwnPropertySetter(engine, name), enumerable: false, configurable: false),
            throwOnError: true);
    }

    /// <summary>Reads back the default the prototype held; the sandbox may call it when describing a thrown error.</summary>
    internal sealed class DefaultGetter : FunctionInstance
    {
        public DefaultGetter(Engine engine, JsValue value)
            : base(engine, [], null, strict: true)
        {
            Value = value;
            Prototype = engine.Function.PrototypeObject;
        }

        public JsValue Value { get; }

        public override JsValue Call(JsValue thisObject, JsValue[] arguments) => Value;
    }

    private sealed class OwnPropertySetter : FunctionInstance
    {
        private readonly string _name;

        public OwnPropertySetter(Engine engine, string name)
            : base(engine, [], null, strict: true)
        {
            _name = name;
            Prototype = engine.Function.PrototypeObject;
        }

        public override JsValue Call(JsValue thisObject, JsValue[] arguments)
        {
            if (thisObject.IsObject())
            {
                thisObject.AsObject().DefineOwnProperty(
                    _name,
                    new PropertyDescriptor(arguments.Length > 0 ? arguments[0] : JsValue.Undefined, writable: true, enumerable: false, configurable: true),
                    throwOnError: true);
            }

            return JsValue.Undefined;
        }
    }
}
