using NJsonSchema;
using NJsonSchema.References;

namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// Hands NJsonSchema only the files the guard has already read and checked. Its default resolver would fetch any
/// URL and read any path a <c>$ref</c> names; this one cannot reach the network or the disk.
/// </summary>
internal sealed class OfflineReferenceResolver : JsonReferenceResolver
{
    private readonly IReadOnlyDictionary<string, SchemaFile> _files;

    public OfflineReferenceResolver(JsonSchema schema, IReadOnlyDictionary<string, SchemaFile> files)
        : base(new JsonSchemaAppender(schema, new DefaultTypeNameGenerator()))
    {
        _files = files;
    }

    public static Func<JsonSchema, JsonReferenceResolver> Factory(IReadOnlyDictionary<string, SchemaFile> files) =>
        schema => new OfflineReferenceResolver(schema, files);

    public override async Task<IJsonReference> ResolveFileReferenceAsync(string filePath, CancellationToken cancellationToken = default)
    {
        if (!_files.TryGetValue(Path.GetFullPath(filePath), out var file))
            throw new InvalidOperationException($"schema guard refused to let NJsonSchema read '{filePath}': it was not checked by the guard");
        return await JsonSchema.FromJsonAsync(file.ModelText, file.FullPath, Factory(_files), cancellationToken).ConfigureAwait(false);
    }

    public override Task<IJsonReference> ResolveUrlReferenceAsync(string url, CancellationToken cancellationToken = default)
    {
        throw new InvalidOperationException($"schema guard refused to let NJsonSchema fetch '{url}'");
    }
}
