using System.Runtime.CompilerServices;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// Bounds how much of the thread's stack one call may use, measured from where the call started, so a script hits
/// the limit at the same depth on every thread instead of at whatever depth the caller's thread happens to allow.
/// Jint 4's own stack guard only probes the thread's absolute remaining stack, and only on entry into script
/// functions; the sandbox checks this budget in every built-in (<see cref="BuiltInGuards"/>), where cycles of
/// built-ins looking each other up would otherwise recurse in .NET until the process dies.
/// </summary>
/// <remarks>
/// Jint's guard stays on as the backstop for recursion inside its own built-ins (a chain of proxies, <c>flat</c> on
/// a deeply nested array). <see cref="ThreadHasRoom"/> makes sure a call starts with the budget plus headroom
/// available, so that backstop only ever fires past the budget. Between two checks a function body can still use
/// stack for its own nesting, which is why the syntax depth is capped.
/// </remarks>
internal sealed class StackBudget(int budgetBytes)
{
    // The stack room a call needs besides its budget: one function body at the syntax depth limit, plus what .NET
    // needs to throw and unwind the exception that ends an over-budget call.
    private const int HeadroomBytes = 384 * 1024;

    private const int ProbeFrameBytes = 16 * 1024;

    // The deepest stack position on this thread already known to have room for a call (stacks grow downwards).
    [ThreadStatic]
    private static nint _verifiedStackPointer;

    [ThreadStatic]
    private static int _verifiedRoomBytes;

    private nint _floor;

    /// <summary>Starts a call's budget at the current stack position.</summary>
    public void Start() => _floor = CurrentStackPointer() - budgetBytes;

    /// <summary>Throws when the running call has used its budget or the thread is nearly out of stack.</summary>
    public void Check()
    {
        if (CurrentStackPointer() < _floor || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new SandboxLimitException($"calls nested deeper than the {budgetBytes / 1024} KiB stack budget (recursion through getters, constructors, valueOf or built-ins?).");
        }
    }

    /// <summary>Whether the current thread has room for a whole call; probed once per thread and stack depth.</summary>
    public static bool ThreadHasRoom(int callBudgetBytes)
    {
        var needed = callBudgetBytes + HeadroomBytes;
        var stackPointer = CurrentStackPointer();
        if (_verifiedRoomBytes >= needed && stackPointer >= _verifiedStackPointer)
        {
            return true;
        }

        // TryEnsureSufficientExecutionStack only promises a fixed 64–128 KiB; stepping down in 16 KiB frames, and
        // asking again before each step, shows there is room for the rest without ever risking an overflow.
        if (!Probe((needed / ProbeFrameBytes) + 1))
        {
            return false;
        }

        _verifiedStackPointer = stackPointer;
        _verifiedRoomBytes = needed;
        return true;
    }

    private static nint CurrentStackPointer()
    {
        byte local = 0;
        return Unsafe.ByteOffset(ref Unsafe.NullRef<byte>(), ref local);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Probe(int frames)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            return false;
        }

        if (frames == 0)
        {
            return true;
        }

        var frame = default(ProbeFrame);
        frame[0] = frames;
        return Probe(frames - 1) && frame[0] == frames;
    }

    [InlineArray(ProbeFrameBytes / sizeof(long))]
    private struct ProbeFrame
    {
        private long _element;
    }
}
