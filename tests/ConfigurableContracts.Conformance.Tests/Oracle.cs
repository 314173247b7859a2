using System.Text.Json;

namespace ConfigurableContracts.Conformance.Tests;

/// <summary>Builds one-rule workflows and runs them on both engines.</summary>
internal static class Oracle
{
    public static string SingleRule(string expression) =>
        JsonSerializer.Serialize(new { WorkflowName = "W", Rules = new[] { new { RuleName = "R", Expression = expression } } });

    public static string SingleOutputRule(string expression) =>
        JsonSerializer.Serialize(new
        {
            WorkflowName = "W",
            Rules = new[]
            {
                new
                {
                    RuleName = "R",
                    Expression = "true",
                    Actions = new { OnSuccess = new { Name = "OutputExpression", Context = new { Expression = expression } } },
                },
            },
        });

    public static DifferentialResult Run(string workflowJson, string inputsJson, string workflowName = "W")
    {
        using var document = JsonDocument.Parse(inputsJson);
        var inputs = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
        return Differential.Run(workflowJson, workflowName, inputs);
    }
}
