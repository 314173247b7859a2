using System.Text;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules;
using ConfigurableContracts.Server.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConfigurableContracts.Server.Templates;

/// <summary>
/// The template catalog: which templates are offered, their versions and hashes, and what is wrong with the rest;
/// and every version's files, also of versions only stored for contracts, so anyone who may read templates can read
/// the rules a contract runs on and what changed between two versions.
/// </summary>
public static class TemplateEndpoints
{
    public static WebApplicationBuilder AddTemplates(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The catalog is Core's (AddContractsCore); the server keeps it current and serves every stored version.
        builder.Services.AddTemplateHotReload();
        builder.Services.AddSingleton<TemplateVersions>();
        return builder;
    }

    public static RouteGroupBuilder MapTemplates(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/templates").WithTags("Templates");
        group.MapGet("/", ListTemplates).WithName(nameof(ListTemplates)).WithSummary("List the templates on offer, newest version of each.");
        group.MapGet("/{templateId}", GetTemplate).WithName(nameof(GetTemplate)).WithSummary("One template with all its loaded versions.");
        group.MapGet("/{templateId}/versions/{version}", GetTemplateVersion).WithName(nameof(GetTemplateVersion)).WithSummary("One template version, also one only stored for contracts: hash, manifest, measurement plan and its files.");
        group.MapGet("/{templateId}/versions/{version}/files/{**path}", GetTemplateFile).WithName(nameof(GetTemplateFile)).WithSummary("The text of one file of a template version, as its bundle holds it.");
        group.MapGet("/{templateId}/diff", DiffTemplateVersions).WithName(nameof(DiffTemplateVersions)).WithSummary("What changed between two versions: files added, removed and changed, with unified-diff hunks.");
        group.MapGet("/{templateId}/diagnostics", GetTemplateDiagnostics).WithName(nameof(GetTemplateDiagnostics)).WithSummary("What the last load of a template reported, errors and warnings.");
        return group;
    }

    public static Ok<TemplateSummaryDto[]> ListTemplates(TemplateCatalog catalog) =>
        TypedResults.Ok(catalog.Templates.Select(TemplateSummaryDto.From).ToArray());

    public static Results<Ok<TemplateDto>, NotFound> GetTemplate(string templateId, TemplateCatalog catalog)
    {
        var versions = catalog.VersionsOf(templateId).ToList();
        if (versions.Count == 0)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(new TemplateDto(templateId, TemplateSummaryDto.From(versions[^1]), versions.Select(TemplateSummaryDto.From).ToArray(),
            catalog.Diagnostics(templateId).Count(d => d.Severity == DiagnosticSeverity.Error)));
    }

    public static async Task<Results<Ok<TemplateVersionDto>, ProblemHttpResult>> GetTemplateVersion(
        string templateId, string version, TemplateVersions versions, CancellationToken cancellationToken) =>
        await versions.FindAsync(templateId, version, cancellationToken) is { } template
            ? TypedResults.Ok(TemplateVersionDto.From(template))
            : Problems.NotFound($"Template '{templateId}' has no version '{version}'.");

    /// <summary>
    /// Served from the bundle in memory or in the database, never from disk: a path is only ever a key looked up in
    /// the bundle, so <c>..</c> or an absolute path finds nothing.
    /// </summary>
    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetTemplateFile(
        string templateId, string version, string path, TemplateVersions versions, CancellationToken cancellationToken)
    {
        var files = await versions.FilesAsync(templateId, version, cancellationToken);
        if (files is null)
        {
            return Problems.NotFound($"Template '{templateId}' has no version '{version}'.");
        }

        // JavaScript is served as plain text, so a browser shows a template's functions instead of running them.
        return files.TryGetValue(path, out var text)
            ? TypedResults.Text(text, path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? "application/json" : "text/plain", Encoding.UTF8)
            : Problems.NotFound($"Version '{version}' of template '{templateId}' has no file '{path}'.");
    }

    public static async Task<Results<Ok<BundleDiffDto>, ProblemHttpResult>> DiffTemplateVersions(
        string templateId, string from, string to, TemplateVersions versions, CancellationToken cancellationToken)
    {
        var before = await versions.FilesAsync(templateId, from, cancellationToken);
        var after = await versions.FilesAsync(templateId, to, cancellationToken);
        if (before is null || after is null)
        {
            return Problems.NotFound($"Template '{templateId}' has no version '{(before is null ? from : to)}'.");
        }

        return TypedResults.Ok(BundleDiffDto.From(templateId, from, to, BundleDiff.Between(before, after)));
    }

    public static Results<Ok<DiagnosticDto[]>, NotFound> GetTemplateDiagnostics(string templateId, TemplateCatalog catalog) =>
        catalog.IsKnown(templateId) ? TypedResults.Ok(catalog.Diagnostics(templateId).Select(DiagnosticDto.From).ToArray()) : TypedResults.NotFound();
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

/// <summary>The files that differ between two versions; a changed file carries its unified-diff hunks.</summary>
public sealed record BundleDiffDto(string Id, string FromVersion, string ToVersion, FileDiffDto[] Files)
{
    public static BundleDiffDto From(string id, string from, string to, BundleDiff diff)
    {
        ArgumentNullException.ThrowIfNull(diff);
        return new(id, from, to, [.. diff.Files.Select(f => new FileDiffDto(
            f.Path, f.Change.ToString().ToLowerInvariant(), [.. f.Hunks.Select(h => new DiffHunkDto(h.Header, h.OldStart, h.OldLines, h.NewStart, h.NewLines, [.. h.Lines]))]))]);
    }
}

/// <summary>One file that differs: <c>added</c>, <c>removed</c> or <c>changed</c>.</summary>
public sealed record FileDiffDto(string Path, string Change, DiffHunkDto[] Hunks);

/// <summary>A unified-diff hunk: its header, its range on each side, and its lines marked ' ', '-' or '+'.</summary>
public sealed record DiffHunkDto(string Header, int OldStart, int OldLines, int NewStart, int NewLines, string[] Lines);

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
