using System.Text.Json;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules;

namespace ConfigurableContracts.Core.Tests.Templates;

/// <summary>
/// What the manifest checks decide beyond a single typo (the CLI's DesignerMistakeTests cover those end to end):
/// parameters nothing reads, inputs bound by their declared type, and bundles stored under the old conventions.
/// </summary>
public sealed class ManifestChecksTests : IDisposable
{
    private const string ManifestPath = $"schemas/{TemplateFolder.Id}/template.json";

    private readonly TemplateFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private TemplateLoadResult Load(bool storedBundles = false) =>
        new TemplateLoader(_folder.Root, new TemplateOptions(), storedBundles).Load(Path.Combine(_folder.Root, "schemas", TemplateFolder.Id));

    [Fact]
    public void Load_WarnsAtTheContractSchemaProperty_WhenNothingReadsAParameter()
    {
        _folder.Write(ManifestPath, TemplateFolder.Manifest().Replace("\"descriptiveParameters\": [ \"targetShare\" ]", "\"descriptiveParameters\": []", StringComparison.Ordinal));

        var result = Load();

        Assert.NotNull(result.Version);
        var warning = Assert.Single(result.Diagnostics, d => d.Code == "CCT0129");
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal($"schemas/{TemplateFolder.Id}/contract.schema.json", warning.Location.Path);
        Assert.Contains("'targetShare'", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CountsAParameterAsRead_WhenARuleReadsIt_EvenThroughAnAlias()
    {
        _folder.Write($"schemas/{TemplateFolder.Id}/contract.schema.json",
            """{ "type": "object", "properties": { "criteria": { "type": "object", "properties": { "minimum": { "type": "integer" }, "unused": { "type": "integer" } } } } }""");
        _folder.Write(ManifestPath, TemplateFolder.Manifest()
            .Replace("\"descriptiveParameters\": [ \"targetShare\" ]", "\"descriptiveParameters\": []", StringComparison.Ordinal)
            .Replace("\"inputs\": { \"followUp\": \"measurement\", \"asOf\": \"date\" }", "\"inputs\": { \"terms\": \"contract\", \"followUp\": \"measurement\", \"asOf\": \"date\" }", StringComparison.Ordinal));
        _folder.Write($"rules/{TemplateFolder.Id}/outcomes.json", """
            { "WorkflowName": "Outcomes", "GlobalParams": [ { "Name": "c", "Expression": "terms.criteria" } ],
              "Rules": [ { "RuleName": "Scored", "Expression": "followUp.score >= c.minimum" } ] }
            """);

        var result = Load();

        var warning = Assert.Single(result.Diagnostics, d => d.Code == "CCT0129");
        Assert.Contains("'criteria.unused'", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RefusesAnInputNoValueIsGivenFor_NamingTheInputsThatAre()
    {
        _folder.Write(ManifestPath, TemplateFolder.Manifest().Replace("\"followUp\": \"measurement\",", "\"followUp\": \"measurement\", \"sixMonths\": \"measurement\",", StringComparison.Ordinal));

        var result = Load();

        Assert.Null(result.Version);
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal("CCT0128", error.Code);
        Assert.Contains("Input 'sixMonths' (measurement)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParticipantInputs_AreGivenByDeclaredType_WhateverTheInputsAreCalled()
    {
        _folder.Write($"schemas/{TemplateFolder.Id}/participant.schema.json",
            """{ "type": "object", "properties": { "pseudonym": { "type": "string" } } }""");
        _folder.Write(ManifestPath, TemplateFolder.Manifest()
            .Replace("\"inputs\": { \"followUp\": \"measurement\", \"asOf\": \"date\" }", "\"inputs\": { \"youth\": \"participant\", \"terms\": \"contract\", \"followUp\": \"measurement\", \"today\": \"date\" }", StringComparison.Ordinal));
        _folder.Write($"rules/{TemplateFolder.Id}/outcomes.json", """
            { "WorkflowName": "Outcomes", "Rules": [ { "RuleName": "Scored", "Expression": "youth.pseudonym == \"P-1\" && followUp.score > 0 && today > DateTime.Parse(\"2020-01-01\") && terms.targetShare > 0" } ] }
            """);
        var template = Assert.IsType<TemplateVersion>(Load().Version);
        var workflow = Assert.Single(template.Workflows);
        using var record = JsonDocument.Parse("""{ "pseudonym": "P-1" }""");
        using var followUp = JsonDocument.Parse("""{ "score": 3 }""");
        using var contract = JsonDocument.Parse("""{ "targetShare": 0.5 }""");

        var inputs = WorkflowInputs.ForParticipant(workflow, Rules.Types.RuleValues.FromJson(contract.RootElement, workflow.InputTypes["terms"]), record.RootElement,
            new Dictionary<string, JsonDocument> { ["followUp"] = followUp }, template.MeasurementPlan, new DateOnly(2026, 12, 7));
        var result = Assert.Single(workflow.Compiled.Evaluate(workflow.Name, inputs));

        Assert.Equal(Rules.Evaluation.RuleStatus.Achieved, result.Status);
    }

    [Fact]
    public void Load_ReadsAStoredBundle_ByTheConventionsItWasWrittenFor_AndOnlyWarns()
    {
        // A cohort target as manifests said it before format 1.1: no memberStatusProperty, no targetShareParameter.
        _folder.Write(ManifestPath, TemplateFolder.Manifest().Replace(
            "\"descriptiveParameters\": [ \"targetShare\" ]",
            "\"cohortTarget\": { \"workflow\": \"Cohort\", \"rule\": \"Reached\", \"targetOutcome\": { \"workflow\": \"Outcomes\", \"rule\": \"Scored\" } }",
            StringComparison.Ordinal).Replace(
            "\"workflows\": [ ",
            "\"workflows\": [ { \"name\": \"Cohort\", \"file\": \"cohort.json\", \"scope\": \"cohort\", \"inputs\": { \"contract\": \"contract\", \"cohort\": \"member[]\" } }, ",
            StringComparison.Ordinal).Replace(
            "\"measurement\": \"measurement.schema.json\" }",
            "\"measurement\": \"measurement.schema.json\", \"member\": \"member.schema.json\" }",
            StringComparison.Ordinal));
        _folder.Write($"schemas/{TemplateFolder.Id}/member.schema.json",
            """{ "type": "object", "properties": { "pseudonym": { "type": "string" }, "providerId": { "type": "string" }, "exitReason": { "type": ["string", "null"] }, "scored": { "type": "string" } } }""");
        _folder.Write($"rules/{TemplateFolder.Id}/cohort.json", """
            { "WorkflowName": "Cohort", "Rules": [ { "RuleName": "Reached", "Expression": "cohort.Count(m => m.scored == \"Achieved\") >= contract.targetShare * cohort.Count()" } ] }
            """);

        var fromDisk = Load();
        var stored = Load(storedBundles: true);

        Assert.Null(fromDisk.Version);
        Assert.Contains(fromDisk.Diagnostics, d => d.IsError && d.Code == "CCT0120" && d.Message.Contains("memberStatusProperty", StringComparison.Ordinal));
        var version = Assert.IsType<TemplateVersion>(stored.Version);
        Assert.DoesNotContain(stored.Diagnostics, d => d.IsError);
        Assert.Contains(stored.Diagnostics, d => d.Code == "CCT0120" && d.Severity == DiagnosticSeverity.Warning);
        Assert.Equal("scored", version.Declared.CohortTarget!.MemberStatusProperty);
        Assert.Equal("targetShare", version.Declared.CohortTarget.TargetShareParameter);
        Assert.Equal(("exitReason", "exitDate"), (version.Declared.ParticipantFields!.ExitReason, version.Declared.ParticipantFields.ExitDate));
    }

    [Fact]
    public void Load_ReadsAStoredBundleThatFitsTheSchema_AsOnDisk_WithoutTheOldConventions()
    {
        var fromDisk = Assert.IsType<TemplateVersion>(Load().Version);
        var stored = Assert.IsType<TemplateVersion>(Load(storedBundles: true).Version);

        Assert.Null(fromDisk.Declared.ParticipantFields);
        Assert.Null(stored.Declared.ParticipantFields);
        Assert.Equal(fromDisk.BundleHash, stored.BundleHash);
    }

    [Fact]
    public void Missing_NamesACapTheSchemaLeavesOptional_WhenAContractOmitsIt()
    {
        _folder.Write($"schemas/{TemplateFolder.Id}/contract.schema.json", """
            { "type": "object", "properties": { "price": { "type": "number" }, "targetShare": { "type": "number" },
              "caps": { "type": "object", "properties": { "perProvider": { "type": "number" } } } } }
            """);
        _folder.Write($"rules/{TemplateFolder.Id}/outcomes.json", """
            { "WorkflowName": "Outcomes", "Rules": [ { "RuleName": "Scored", "Expression": "followUp != null",
              "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "contract.price" } } } } ] }
            """);
        _folder.Write(ManifestPath, TemplateFolder.Manifest()
            .Replace("\"inputs\": { \"followUp\"", "\"inputs\": { \"contract\": \"contract\", \"followUp\"", StringComparison.Ordinal)
            .Replace("\"descriptiveParameters\": [ \"targetShare\" ]",
                "\"descriptiveParameters\": [ \"targetShare\" ], \"paymentModel\": { \"currency\": \"SEK\", \"payments\": [ { \"kind\": \"outcome\", \"workflow\": \"Outcomes\", \"rule\": \"Scored\" } ], \"caps\": { \"perProviderParameter\": \"caps.perProvider\", \"order\": [\"perProvider\"] } }",
                StringComparison.Ordinal));
        var result = Load();
        var template = Assert.IsType<TemplateVersion>(result.Version);
        using var without = JsonDocument.Parse("""{ "price": 100 }""");
        using var with = JsonDocument.Parse("""{ "price": 100, "caps": { "perProvider": 1000 } }""");

        Assert.Contains(result.Diagnostics, d => d.Code == "CCT0123" && d.Severity == DiagnosticSeverity.Warning && d.Message.Contains("no such cap", StringComparison.Ordinal));
        var missing = Assert.Single(TemplateParameters.Missing(template, without.RootElement));
        Assert.Equal("$.caps.perProvider", missing.Path);
        Assert.Contains("per-provider payment cap", missing.Message, StringComparison.Ordinal);
        Assert.Empty(TemplateParameters.Missing(template, with.RootElement));
    }
}
