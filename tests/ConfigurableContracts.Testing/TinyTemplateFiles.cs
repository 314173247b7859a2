using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Testing;

/// <summary>The files of <see cref="ContractSeeder.TinyTemplate"/>, loaded once the way a stored bundle is.</summary>
internal static class TinyTemplateFiles
{
    public const string TemplateId = "tiny";

    public static readonly SortedDictionary<string, string> Files = new(StringComparer.Ordinal)
    {
        ["schemas/tiny/template.json"] = """
            {"id":"tiny","version":"1.0.0","title":{"en":"Tiny"},
             "schemas":{"contract":"any.schema.json","participant":"any.schema.json","measurement":"any.schema.json"},
             "rules":{"folder":"../../rules/tiny"},
             "workflows":[{"name":"Count","file":"count.json","scope":"participant","inputs":{"participant":"participant","asOf":"date"}}],
             "measurementPlan":{"points":[{"id":"baseline","offsetMonths":0}]}}
            """,
        ["schemas/tiny/any.schema.json"] = """{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}""",
        ["rules/tiny/count.json"] = """{"WorkflowName":"Count","Rules":[{"RuleName":"Enrolled","Expression":"participant != null"}]}""",
    };

    public static readonly Lazy<TemplateVersion> Template = new(Load);

    private static TemplateVersion Load()
    {
        var result = BundleFolder.Load(TemplateId, Files);
        return result.Version ?? throw new InvalidOperationException($"The tiny template does not load: {string.Join("; ", result.Diagnostics)}");
    }
}
