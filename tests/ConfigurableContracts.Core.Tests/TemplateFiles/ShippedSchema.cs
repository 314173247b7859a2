using ConfigurableContracts.Core.Templates.Schemas;

namespace ConfigurableContracts.Core.Tests.TemplateFiles;

/// <summary>
/// A schema under schemas/ loaded through the schema guard, the validator the server itself uses, with the folder it
/// lies in as its template folder: the shipped files are checked against the verdicts users will get.
/// </summary>
internal static class ShippedSchema
{
    public static async Task<GuardedSchema> LoadAsync(string fullPath)
    {
        var result = await new SchemaGuard().LoadAsync(Path.GetDirectoryName(fullPath)!, fullPath);
        Assert.True(result.Succeeded, $"{RepositoryLayout.Relative(fullPath)} is refused by the schema guard:\n" + string.Join('\n', result.Diagnostics));
        return result.Schema!;
    }

    /// <summary>The document's errors as "path: message" lines; none when it is valid.</summary>
    public static IEnumerable<string> Errors(GuardedSchema schema, string json) =>
        schema.Validate(json).Select(e => $"{e.Path}: {e.Message}");
}
