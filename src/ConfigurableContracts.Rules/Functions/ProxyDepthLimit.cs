using System.Runtime.CompilerServices;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime.Interop;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// Stands in front of the <c>Proxy</c> constructor a script sees and refuses a proxy around a chain of proxies
/// longer than <see cref="JavaScriptFunctionOptions.MaxRecursionDepth"/>. Reading through such a chain recurses
/// inside Jint, where only its native-stack guard stops it, at a depth that depends on the caller's thread: the
/// same script would succeed on one thread and fail on another. Refusing where the chain is built answers the same
/// everywhere.
/// </summary>
internal sealed class ProxyDepthLimit(Engine engine, JavaScriptFunctionOptions options) : ProxyHandler
{
    private readonly JsValue _construct = engine.Global.Get("Reflect").Get("construct");
    private readonly ConditionalWeakTable<ObjectInstance, StrongBox<int>> _depth = [];

    public override ObjectInstance? Construct(ObjectInstance target, JsValue[] arguments, JsValue newTarget)
    {
        var wrapped = arguments.Length > 0 ? arguments[0] : JsValue.Undefined;
        var depth = wrapped is ObjectInstance inner && _depth.TryGetValue(inner, out var known) ? known.Value + 1 : 1;
        if (depth > options.MaxRecursionDepth)
        {
            throw new SandboxLimitException($"built a proxy around {depth - 1} proxies; the limit is {options.MaxRecursionDepth}.");
        }

        var proxy = engine.Call(_construct, JsValue.Undefined, [target, new JsArray(engine, [.. arguments]), newTarget]).AsObject();
        _depth.AddOrUpdate(proxy, new StrongBox<int>(depth));
        return proxy;
    }
}
