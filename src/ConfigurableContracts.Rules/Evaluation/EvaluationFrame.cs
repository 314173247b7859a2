namespace ConfigurableContracts.Rules.Evaluation;

/// <summary>
/// The mutable state of one evaluation: a slot per input, parameter and lambda parameter of the workflow. Each
/// <c>Evaluate</c> call gets its own frame, which is what makes a compiled workflow safe to share between threads.
/// </summary>
internal sealed class EvaluationFrame(int slotCount)
{
    public object?[] Slots { get; } = new object?[slotCount];
}

/// <summary>
/// A value that could not be computed because data it needs is absent (e.g. <c>followUp6.score</c> when the
/// six-month follow-up is not recorded). It flows through operators like NaN and makes the rule NotEvaluable,
/// unless <c>??</c>, a comparison with <c>null</c>, or three-valued logic makes it irrelevant.
/// </summary>
internal sealed class MissingValue(string reason)
{
    public string Reason { get; } = reason;

    public override string ToString() => Reason;
}

/// <summary>A parameter whose expression failed; reading it fails the reading rule with the same message.</summary>
internal sealed class FailedValue(Exception error)
{
    public Exception Error { get; } = error;
}

/// <summary>A run-time failure of a rule (a type mismatch on untyped input, an empty First(), …); the rule becomes Error.</summary>
public sealed class RuleEvaluationException : Exception
{
    public RuleEvaluationException() { }

    public RuleEvaluationException(string message) : base(message) { }

    public RuleEvaluationException(string message, Exception innerException) : base(message, innerException) { }
}
