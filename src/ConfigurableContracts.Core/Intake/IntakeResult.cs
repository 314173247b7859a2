using ConfigurableContracts.Core.Diagnostics;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Core.Intake;

/// <summary>An incoming document checked: the value to store when valid, otherwise every error at its JSON path.</summary>
public sealed record IntakeResult<T>(T? Value, IReadOnlyList<DocumentError> Errors)
    where T : class
{
    public bool IsValid => Value is not null && Errors.Count == 0;
}

/// <summary>Makes <see cref="IntakeResult{T}"/> values with the type inferred.</summary>
public static class IntakeResult
{
    public static IntakeResult<T> Valid<T>(T value)
        where T : class
    {
        ContractsTelemetry.IntakeChecked<T>(accepted: true);
        return new(value, []);
    }

    public static IntakeResult<T> Invalid<T>(IReadOnlyList<DocumentError> errors)
        where T : class
    {
        ContractsTelemetry.IntakeChecked<T>(accepted: false);
        return new(null, errors);
    }
}
