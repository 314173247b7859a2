using Jint.Native;
using Jint.Native.Object;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// Every object a script can reach from some starting objects through prototypes, property values (string and
/// symbol keys) and accessors, walked with an explicit stack so a deep chain cannot overflow it.
/// </summary>
internal static class ReachableObjects
{
    public static IEnumerable<ObjectInstance> From(IEnumerable<ObjectInstance> roots)
    {
        var seen = new HashSet<ObjectInstance>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<ObjectInstance>(roots);
        while (pending.Count > 0)
        {
            var instance = pending.Pop();
            if (!seen.Add(instance))
            {
                continue;
            }

            yield return instance;
            if (instance.Prototype is { } prototype)
            {
                pending.Push(prototype);
            }

            foreach (var (_, descriptor) in instance.GetOwnProperties().ToList())
            {
                foreach (var value in (JsValue?[])[descriptor.Value, descriptor.Get, descriptor.Set])
                {
                    if (value is ObjectInstance reachable)
                    {
                        pending.Push(reachable);
                    }
                }
            }
        }
    }
}
