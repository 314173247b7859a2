using System.Runtime.CompilerServices;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Descriptors.Specialized;
using Jint.Runtime.Interop;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// Turns a frozen prototype's data property into a getter/setter pair that reads the prototype's default and writes
/// to the instance. A read-only inherited property also blocks plain assignment on every instance (the "override
/// mistake"), so after the sandbox freezes <c>Error.prototype</c>, <c>e.name = "Custom"</c> would throw; with this
/// pair, instances keep working while the prototype itself stays unchangeable.
/// </summary>
internal static class InstancePropertyDefault
{
    // The default each installed getter answers, so a thrown error can be described without running any getter.
    private static readonly ConditionalWeakTable<ObjectInstance, JsValue> Defaults = [];

    public static void Install(Engine engine, ObjectInstance prototype, string name)
    {
        var current = prototype.GetOwnProperty(name);
        if (current == PropertyDescriptor.Undefined || !current.IsDataDescriptor())
        {
            return;
        }

        var value = current.Value ?? JsValue.Undefined;
        var getter = new ClrFunction(engine, "get " + name, (_, _) => value, 0, PropertyFlag.Configurable);
        Defaults.AddOrUpdate(getter, value);
        var setter = new ClrFunction(engine, "set " + name, (thisObject, arguments) => SetOnInstance(engine, thisObject, name, arguments), 1, PropertyFlag.Configurable);
        prototype.DefineOwnProperty(name, new GetSetPropertyDescriptor(getter, setter, enumerable: false, configurable: false));
    }

    /// <summary>The default an installed getter answers, without calling it.</summary>
    public static bool TryGetDefault(JsValue? getter, out JsValue value)
    {
        value = JsValue.Undefined;
        return getter is ObjectInstance instance && Defaults.TryGetValue(instance, out value!);
    }

    private static JsValue SetOnInstance(Engine engine, JsValue thisObject, string name, JsValue[] arguments)
    {
        if (thisObject is ObjectInstance instance
            && !instance.DefineOwnProperty(name, new PropertyDescriptor(arguments.Length > 0 ? arguments[0] : JsValue.Undefined, writable: true, enumerable: false, configurable: true)))
        {
            // The prototype itself, or a frozen instance: assignment must fail as it would on a read-only property.
            throw new JavaScriptException(engine.Intrinsics.TypeError, $"Cannot assign to read only property '{name}' of object");
        }

        return JsValue.Undefined;
    }
}
