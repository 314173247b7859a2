using System.Globalization;
using System.Text.Json;
using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Core.Payments;

/// <summary>Which rule's output is which payment, and the caps, as a template's manifest declares them.</summary>
public sealed class PaymentModel
{
    private PaymentModel(string currency, IReadOnlyList<PaymentRule> payments, IReadOnlyList<string> capOrder, string? perProviderParameter, string? perContractParameter)
    {
        Currency = currency;
        Payments = payments;
        CapOrder = capOrder;
        PerProviderParameter = perProviderParameter;
        PerContractParameter = perContractParameter;
    }

    public string Currency { get; }

    public IReadOnlyList<PaymentRule> Payments { get; }

    /// <summary>The order caps are checked in; the first that binds is named on the entry.</summary>
    public IReadOnlyList<string> CapOrder { get; }

    public string? PerProviderParameter { get; }

    public string? PerContractParameter { get; }

    public PaymentRule? Find(string workflow, string rule) =>
        Payments.FirstOrDefault(p => p.Workflow == workflow && p.Rule == rule);

    /// <summary>The payment model a loaded template declares; a template without one pays nothing.</summary>
    public static PaymentModel From(TemplateVersion template)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (template.Declared.PaymentModel is not { } model)
        {
            return new PaymentModel("SEK", [], [], null, null);
        }

        var payments = (model.Payments ?? []).Select(p => new PaymentRule(p.Kind!, p.Workflow!, p.Rule!)).ToList();
        return new PaymentModel(model.Currency ?? "SEK", payments, model.Caps?.Order ?? [], model.Caps?.PerProviderParameter, model.Caps?.PerContractParameter);
    }

    /// <summary>Reads a cap (a number at a dotted path such as <c>caps.perProvider</c>) from contract parameters; null when absent.</summary>
    public static decimal? ReadCap(JsonElement parameters, string? dottedPath) =>
        dottedPath is not null && TemplateParameters.Resolve(parameters, dottedPath) is { ValueKind: JsonValueKind.Number } value ? value.GetDecimal() : null;

    /// <summary>A rule output as a payable amount: a positive number, rounded to öre (2 decimals, banker's rounding avoided).</summary>
    public static decimal? AsAmount(object? output) => output switch
    {
        long whole when whole > 0 => whole,
        decimal amount when amount > 0 => Math.Round(amount, 2, MidpointRounding.AwayFromZero),
        string text when decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 => Math.Round(parsed, 2, MidpointRounding.AwayFromZero),
        _ => null,
    };

}

/// <summary>A payment kind (activity, outcome) paid from a rule's output when the rule is Achieved.</summary>
public sealed record PaymentRule(string Kind, string Workflow, string Rule);
