using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConfigurableContracts.Server.Templates;

/// <summary>The template catalog: which templates are offered, their versions and hashes, and what is wrong with the rest.</summary>
public static class TemplateEndpoints
{
    public static WebApplicationBuilder AddTemplates(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddTemplates(builder.Environment.ContentRootPath);
        return builder;
    }

    public static RouteGroupBuilder MapTemplates(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/templates").WithTags("Templates");
        group.MapGet("/", ListTemplates).WithName(nameof(ListTemplates)).WithSummary("List the templates on offer, newest version of each.");
        group.MapGet("/{id}", GetTemplate).WithName(nameof(GetTemplate)).WithSummary("One template with all its loaded versions.");
        group.MapGet("/{id}/versions/{version}", GetTemplateVersion).WithName(nameof(GetTemplateVersion)).WithSummary("One template version: hash, files, workflows and schemas.");
        group.MapGet("/{id}/diagnostics", GetTemplateDiagnostics).WithName(nameof(GetTemplateDiagnostics)).WithSummary("What the last load of a template reported, errors and warnings.");
        return group;
    }

    public static Ok<TemplateSummaryDto[]> ListTemplates(TemplateCatalog catalog) =>
        TypedResults.Ok(catalog.Templates.Select(TemplateSummaryDto.From).ToArray());

    public static Results<Ok<TemplateDto>, NotFound> GetTemplate(string id, TemplateCatalog catalog)
    {
        var versions = catalog.VersionsOf(id).ToList();
        if (versions.Count == 0)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(new TemplateDto(id, TemplateSummaryDto.From(versions[^1]), versions.Select(TemplateSummaryDto.From).ToArray(),
            catalog.Diagnostics(id).Count(d => d.Severity == DiagnosticSeverity.Error)));
    }

    public static Results<Ok<TemplateVersionDto>, NotFound> GetTemplateVersion(string id, string version, TemplateCatalog catalog) =>
        catalog.TryGet(id, version, out var template) ? TypedResults.Ok(TemplateVersionDto.From(template)) : TypedResults.NotFound();

    public static Results<Ok<DiagnosticDto[]>, NotFound> GetTemplateDiagnostics(string id, TemplateCatalog catalog) =>
        catalog.IsKnown(id) ? TypedResults.Ok(catalog.Diagnostics(id).Select(DiagnosticDto.From).ToArray()) : TypedResults.NotFound();
}

/// <summary>A template version in lists.</summary>
public sealed record TemplateSummaryDto(string Id, string Version, string BundleHash, IReadOnlyDictionary<string, string> Title, IReadOnlyDictionary<string, string> Description)
{
    public static TemplateSummaryDto From(TemplateVersion template)
    {
        ArgumentNullException.ThrowIfNull(template);
        return new(template.Id, template.Version, template.BundleHash, template.Title, template.Description);
    }
}

/// <summary>A template with every loaded version and how many errors its files have right now.</summary>
public sealed record TemplateDto(string Id, TemplateSummaryDto Latest, TemplateSummaryDto[] Versions, int CurrentErrors);

/// <summary>One version in full: its manifest, measurement plan and the files its hash covers.</summary>
public sealed record TemplateVersionDto(
    string Id,
    string Version,
    string BundleHash,
    System.Text.Json.JsonElement Manifest,
    MeasurementPoint[] MeasurementPlan,
    string[] Files,
    DiagnosticDto[] Warnings)
{
    public static TemplateVersionDto From(TemplateVersion template)
    {
        ArgumentNullException.ThrowIfNull(template);
        return new(template.Id, template.Version, template.BundleHash, template.Manifest, [.. template.MeasurementPlan.Points],
            [.. template.Files.Keys], [.. template.Warnings.Select(DiagnosticDto.From)]);
    }
}

/// <summary>A diagnostic as the CLI prints it, plus its parts.</summary>
public sealed record DiagnosticDto(string Code, string Severity, string Message, string Path, int Line, int Column, string? RuleName, string Text)
{
    public static DiagnosticDto From(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        return new(diagnostic.Code, diagnostic.Severity == DiagnosticSeverity.Error ? "error" : "warning", diagnostic.Message,
            diagnostic.Location.Path, diagnostic.Location.Line, diagnostic.Location.Column, diagnostic.RuleName, diagnostic.ToString());
    }
}
