using System.Buffers;
using System.Globalization;
using System.Text;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Server.Errors;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConfigurableContracts.Server.Audit;

/// <summary>
/// <c>X-Purpose</c>: why the caller reads or writes participant data (a follow-up, a payment review), recorded in
/// the request's audit entry. Optional; a header rather than a query parameter so it stays out of URLs that proxies
/// and browsers log. At most <see cref="MaxLength"/> printable characters, and no personal identity number: the
/// audit log is append-only, so whatever is recorded here is kept for ever beside the pseudonym.
/// </summary>
public static class PurposeHeader
{
    public const string Name = "X-Purpose";

    public const int MaxLength = 200;

    /// <summary>The purpose sent, or null; <paramref name="error"/> says what is wrong with one that cannot be recorded.</summary>
    internal static string? Read(HttpRequest request, out string? error)
    {
        error = null;
        var values = request.Headers[Name];
        if (values.Count == 0)
        {
            return null;
        }

        var purpose = values.Count == 1 ? values[0]!.Trim() : null;
        if (purpose is null)
        {
            error = $"Send one {Name} header, not {values.Count}.";
        }
        else if (purpose.Length is 0 or > MaxLength || !IsPrintable(purpose))
        {
            error = $"{Name} must be 1 to {MaxLength} printable characters (no control, format or unassigned characters); it is {purpose.Length} long.";
        }
        else if (PersonalIdentityNumbers.RefusalOf(purpose, Name) is { } refusal)
        {
            error = refusal.Message;
        }

        return error is null ? purpose : null;
    }

    /// <summary>
    /// Letters, marks, numbers, punctuation, symbols (emoji too) and plain spaces. Control and format characters
    /// (bidirectional overrides, zero-width joiners), line separators, lone surrogates, private-use and unassigned
    /// code points are not: they can make an audit line read differently on screen from what is stored.
    /// </summary>
    private static bool IsPrintable(string text)
    {
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var length) != OperationStatus.Done || !IsPrintable(rune))
            {
                return false;
            }

            rest = rest[length..];
        }

        return true;
    }

    private static bool IsPrintable(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => false,
        UnicodeCategory.SpaceSeparator => rune.Value == ' ',
        _ => true,
    };

    internal static Task RefuseAsync(HttpContext context, string error) =>
        Problems.Validation([new(Name, error)]).ExecuteAsync(context);

    /// <summary>Declares the header on the operations whose reads are audited, so clients find it in the OpenAPI document.</summary>
    internal sealed class OperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            ArgumentNullException.ThrowIfNull(operation);
            ArgumentNullException.ThrowIfNull(context);
            if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<AuditReadsMetadata>().Any())
            {
                return;
            }

            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = Name,
                In = ParameterLocation.Header,
                Required = false,
                Description = "Why you access this participant data; recorded in the audit log (GET /api/audit) for ever. " +
                    "Printable characters only, and never a personal identity number (refused with 400).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = MaxLength },
            });
        }
    }
}
