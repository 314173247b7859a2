using System.Text.Json;
using ConfigurableContracts.Core.Json;

namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// A template schema that passed the guard. Documents are validated by the guard's own compiled checks over
/// System.Text.Json, which enforce exactly the keywords the guard admitted (see docs/decisions/0003-schema-guard.md).
/// Instances are immutable and safe to share between threads.
/// </summary>
public sealed class GuardedSchema
{
    private readonly SchemaNode _root;
    private readonly JsonDocumentOptions _documentOptions;
    private readonly int _maxDocumentBytes;
    private readonly TimeSpan _patternBudget;

    internal GuardedSchema(string path, SchemaNode root, IReadOnlyList<SchemaSource> sources, SchemaGuardOptions options)
    {
        Path = path;
        _root = root;
        Sources = sources;
        Files = sources.Select(source => source.FullPath).ToList();
        _maxDocumentBytes = options.MaxDocumentBytes;
        _patternBudget = options.PatternBudgetPerDocument;
        _documentOptions = new JsonDocumentOptions
        {
            MaxDepth = options.MaxDocumentDepth,
            // A repeated key would let a document show one value to validation and another to whoever reads it next.
            AllowDuplicateProperties = false,
        };
    }

    /// <summary>The schema file's path as the caller gave it.</summary>
    public string Path { get; }

    /// <summary>Full paths of every file the schema is made of, itself first (for content hashing and file watching).</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The text of each of <see cref="Files"/> as the guard checked it, with its resolved <c>$ref</c>s (for <see cref="SchemaBundle"/>).</summary>
    internal IReadOnlyList<SchemaSource> Sources { get; }

    /// <summary>Validates a parsed document; an empty list means valid.</summary>
    public IReadOnlyList<DocumentError> Validate(JsonElement document)
    {
        var context = ValidationContext.Rent(collectErrors: true, _patternBudget);
        try
        {
            var valid = _root.Validate(document, context);
            var errors = context.TakeErrors();

            // Every failing check reports itself; this only makes sure a false verdict can never read as "valid".
            return valid || errors.Count > 0 ? errors : [new DocumentError("$", "does not match the schema")];
        }
        catch (InsufficientExecutionStackException)
        {
            return [TooDeep()];
        }
    }

    /// <summary>Only the verdict; stops at the first failure, so it is cheaper than <see cref="Validate(JsonElement)"/> on invalid data.</summary>
    public bool IsValid(JsonElement document)
    {
        try
        {
            return _root.Validate(document, ValidationContext.Rent(collectErrors: false, _patternBudget));
        }
        catch (InsufficientExecutionStackException)
        {
            return false;
        }
    }

    /// <summary>Parses and validates JSON text; text that is not JSON, too large or too deep is one error at <c>$</c>.</summary>
    public IReadOnlyList<DocumentError> Validate(string json)
    {
        ArgumentNullException.ThrowIfNull(json);

        // System.Text.Json parses UTF-8 in any case; converting here also makes the size limit mean bytes for both forms.
        return Validate(System.Text.Encoding.UTF8.GetBytes(json));
    }

    /// <summary>
    /// Parses and validates UTF-8 JSON, the form request bodies and JSON Lines files arrive in; text that is not JSON,
    /// too large or too deep is one error at <c>$</c>.
    /// </summary>
    public IReadOnlyList<DocumentError> Validate(ReadOnlyMemory<byte> utf8Json)
    {
        if (utf8Json.Length > _maxDocumentBytes)
            return [TooLarge(utf8Json.Length)];
        try
        {
            using var document = JsonDocument.Parse(utf8Json, _documentOptions);
            return Validate(document.RootElement);
        }
        catch (JsonException e)
        {
            return [NotJson(e)];
        }
    }

    private DocumentError TooLarge(int length) =>
        new("$", $"document is {length} bytes; the limit is {_maxDocumentBytes}");

    private static DocumentError TooDeep() =>
        new("$", "document nests too deeply to validate against this schema");

    private static DocumentError NotJson(JsonException e) =>
        new("$", $"is not valid JSON: {e.Message}");
}
