using System.Runtime.CompilerServices;
using System.Text.Json;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Rules.Compilation;

/// <summary>
/// A workflow's second tier, as a JIT has one: the closures answer the first evaluations (so loading a template
/// stays cheap), and once a workflow has been evaluated <see cref="Threshold"/> times it is compiled to typed code
/// (<see cref="TypedCompiler"/>), which answers the rules it can and leaves the rest to the closures.
/// </summary>
/// <remarks>
/// The typed code depends on which inputs are JSON still to be converted and which are in the value model, so one
/// body is compiled per combination met (usually one or two). Safe to share between threads: a body is compiled
/// by whichever thread gets there first while the others go on with the closures, and the call count is a hint
/// that tolerates lost updates.
/// </remarks>
internal sealed class TypedTier
{
    /// <summary>
    /// Fills <c>results</c> with the typed answers; an entry left null is for the closures to answer. An input is in
    /// <c>values</c> (value model, or null when absent) or, where the body reads it in place, in <c>json</c>.
    /// </summary>
    public delegate void Body(object?[] values, JsonElement[] json, RuleResultTree?[] results);

    /// <summary>Evaluations on the closures before the typed code is compiled, by default.</summary>
    public const int DefaultThreshold = 64;

    // A workflow with more inputs than this keeps to the closures rather than compile a body per combination.
    private const int MaxInputs = 10;

    private readonly CompiledWorkflow _workflow;
    private readonly Body?[] _bodies;
    private int _jsonLength;
    private readonly bool[] _tried;
    private readonly Lock _compiling = new();
    private int _calls;
    private TypesSeen? _lastTypes;

    [ThreadStatic]
    private static object?[]? t_values;

    [ThreadStatic]
    private static JsonElement[]? t_json;

    private TypedTier(CompiledWorkflow workflow, int threshold)
    {
        _workflow = workflow;
        Threshold = threshold;
        _bodies = new Body?[1 << workflow.Inputs.Length];
        _tried = new bool[_bodies.Length];
    }

    public int Threshold { get; }

    /// <summary>Why the last body could not be compiled, if one could not; tests hold it to null.</summary>
    public Exception? CompileError { get; private set; }

    /// <summary>A tier for <paramref name="workflow"/>, or null where typed code cannot run or is not wanted (<paramref name="threshold"/> &lt; 0).</summary>
    public static TypedTier? For(CompiledWorkflow workflow, int threshold) =>
        threshold < 0 || workflow.Inputs.Length > MaxInputs || !RuntimeFeature.IsDynamicCodeCompiled ? null : new TypedTier(workflow, threshold);

    /// <summary>Counts an evaluation; true once the workflow is warm enough for its typed code to be tried.</summary>
    public bool Warm()
    {
        if (_calls >= Threshold) return true;
        _calls++;
        return false;
    }

    /// <summary>
    /// Runs the typed code for these inputs into <paramref name="results"/> (null where the closures must answer);
    /// false when there is no typed code for them, and the closures answer everything.
    /// </summary>
    public bool TryEvaluate(RuleInputs inputs, RuleResultTree?[] results)
    {
        var inputsOf = _workflow.Inputs;
        var positions = _workflow.InputPositions;
        // Scratch per thread: an evaluation runs on one thread, and typed code does not evaluate workflows itself.
        var values = t_values ??= new object?[MaxInputs];
        var json = t_json ??= new JsonElement[MaxInputs];
        var inPlace = InPlace(inputs.JsonTypes);
        var combination = 0;
        for (var i = 0; i < inputsOf.Length; i++)
        {
            var position = positions[i];
            if (inputs.TryGetJsonAt(inputsOf[i].Name, (inPlace & (1 << i)) != 0, ref position, out json[i], out values[i])) combination |= 1 << i;
            // Written only when it moved: a write on every call would bounce the cache line between threads.
            if (position != positions[i]) positions[i] = position;
        }
        var body = Volatile.Read(ref _tried[combination]) ? _bodies[combination] : Compile(combination);
        if (body is not null)
        {
            // The body keeps the fields of JSON inputs after the inputs.
            var length = Volatile.Read(ref _jsonLength);
            if (json.Length < length)
            {
                System.Array.Resize(ref json, length);
                t_json = json;
            }
            body(values, json, results);
        }
        // Not kept past the evaluation: the scratch must not hold a participant's data alive.
        System.Array.Clear(values, 0, inputsOf.Length);
        System.Array.Clear(json, 0, Math.Min(json.Length, Math.Max(inputsOf.Length, _jsonLength)));
        return body is not null;
    }

    /// <summary>
    /// Which inputs (a bit each) JSON given with <paramref name="types"/> can be read in place for: those it gives
    /// exactly the type the workflow was compiled with. Callers pass the same dictionary for every participant, so
    /// the answer for the last one is kept.
    /// </summary>
    private int InPlace(IReadOnlyDictionary<string, RuleType>? types)
    {
        if (types is null) return 0;
        var last = _lastTypes;
        if (last is not null && ReferenceEquals(last.Types, types)) return last.InPlace;
        var inPlace = 0;
        for (var i = 0; i < _workflow.Inputs.Length; i++)
            if (types.TryGetValue(_workflow.Inputs[i].Name, out var type) && ReferenceEquals(type, _workflow.Inputs[i].Type)) inPlace |= 1 << i;
        _lastTypes = new TypesSeen(types, inPlace);
        return inPlace;
    }

    private sealed record TypesSeen(IReadOnlyDictionary<string, RuleType> Types, int InPlace);

    private Body? Compile(int combination)
    {
        // Another thread compiling: go on with the closures rather than wait.
        if (!_compiling.TryEnter()) return null;
        try
        {
            if (_tried[combination]) return _bodies[combination];
            var json = new bool[_workflow.Inputs.Length];
            for (var i = 0; i < json.Length; i++) json[i] = (combination & (1 << i)) != 0;
            Body? body = null;
            try
            {
                if (TypedCompiler.Compile(_workflow, json) is var (compiled, jsonLength))
                {
                    body = compiled;
                    // Published before the body, so no thread runs it with a shorter scratch array.
                    if (jsonLength > _jsonLength) Volatile.Write(ref _jsonLength, jsonLength);
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
            {
                // A shape the typed compiler mishandles must cost speed, never an answer: the closures go on.
                CompileError = e;
            }
            _bodies[combination] = body;
            Volatile.Write(ref _tried[combination], true);
            return body;
        }
        finally
        {
            _compiling.Exit();
        }
    }
}
