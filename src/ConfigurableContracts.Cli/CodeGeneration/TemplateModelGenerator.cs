using System.Text.RegularExpressions;
using ConfigurableContracts.Core.Templates.Schemas;
using NJsonSchema;
using NJsonSchema.CodeGeneration;
using NJsonSchema.CodeGeneration.CSharp;
using NJsonSchema.CodeGeneration.CSharp.Models;

namespace ConfigurableContracts.Cli.CodeGeneration;

/// <summary>How <c>contracts schema codegen</c> writes the models.</summary>
/// <param name="Namespace">The C# namespace of every generated type.</param>
/// <param name="NullableReferenceTypes">Annotate reference types for nullable analysis (<c>#nullable enable</c>).</param>
internal sealed record ModelOptions(string Namespace, bool NullableReferenceTypes);

/// <summary>One generated C# file: the types first reached from <paramref name="Document"/> (or all of them).</summary>
internal sealed record GeneratedFile(string Document, string FileName, string Code);

/// <summary>
/// Typed C# models of a template's documents, for the case-management systems that submit participants and
/// measurements: NJsonSchema's C# generator, the job it does well, over one self-contained schema the guard built
/// (<see cref="SchemaBundle"/>), so it resolves nothing itself and reads no file and no URL. The models serialise with
/// System.Text.Json as the server reads documents: <c>integer</c> is <c>long</c>, <c>number</c> is <c>decimal</c>
/// (amounts of money are decimal in this product), <c>format: date</c> is <c>DateOnly</c>, string enums are C# enums
/// that read and write the schema's own values, and an optional property that is null is left out rather than written
/// as <c>null</c>, which its schema would refuse. The generated code needs .NET 9 or later
/// (<c>JsonStringEnumMemberName</c>).
/// </summary>
internal static partial class TemplateModelGenerator
{
    /// <summary>
    /// The type name of the document a template names by <paramref name="schemaKey"/>: its key in PascalCase, except
    /// <c>contract</c>, whose document holds a contract's parameters and is named so (<c>ContractParameters</c>).
    /// </summary>
    public static string TypeName(string schemaKey) =>
        schemaKey == "contract" ? "ContractParameters" : Pascal(schemaKey);

    /// <summary>The default namespace for a template's models: <c>ConfigurableContracts.Templates.YouthEmployment</c>.</summary>
    public static string DefaultNamespace(string templateId) => "ConfigurableContracts.Templates." + Pascal(templateId);

    /// <summary>True when <paramref name="name"/> can be written as a C# namespace (dotted identifiers).</summary>
    public static bool IsNamespace(string name) => NamespacePattern().IsMatch(name);

    /// <summary>
    /// Generates the models of <paramref name="documents"/> (type name and guarded schema, in the template's order).
    /// With <paramref name="filePerDocument"/> each document gets a file named after its type, holding its type and the
    /// types first reached from it; otherwise one file, <paramref name="singleFileName"/>, holds all.
    /// </summary>
    public static async Task<IReadOnlyList<GeneratedFile>> GenerateAsync(
        IReadOnlyList<KeyValuePair<string, GuardedSchema>> documents, ModelOptions options, bool filePerDocument, string singleFileName)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(options);
        var bundle = SchemaBundle.Combine(documents);

        // No document path: the bundle refers only within itself, and a reader without a path has nowhere else to look.
        var schema = await JsonSchema.FromJsonAsync(bundle.ToJsonString()).ConfigureAwait(false);

        var names = new DocumentTypeNames(
            documents.ToDictionary(d => schema.Definitions[d.Key].ActualSchema, d => d.Key),
            DefinitionKeys(schema.Definitions.Values));
        var settings = Settings(options, names);
        var resolver = new CSharpTypeResolver(settings);
        var generator = new ModelFileGenerator(schema, settings, resolver);

        var emitted = new HashSet<string>(StringComparer.Ordinal);
        var perDocument = new List<(string Document, List<CodeArtifact> Types)>();
        foreach (var (document, _) in documents)
        {
            // Types get their names while the document that first reaches them is generated, so a second "ExitReason"
            // in another document is named after that document rather than numbered.
            names.CurrentDocument = document;
            resolver.Resolve(schema.Definitions[document], false, document);
            var fresh = generator.GenerateTypes().Where(type => emitted.Add(type.TypeName)).ToList();
            perDocument.Add((document, fresh));
        }

        if (!filePerDocument)
            return [new GeneratedFile("", singleFileName, generator.File(perDocument.SelectMany(d => d.Types)))];

        // A document whose schema file another document already named holds no types of its own: no empty file.
        return perDocument.Where(d => d.Types.Count > 0)
            .Select(d => new GeneratedFile(d.Document, d.Document + ".cs", generator.File(d.Types)))
            .ToList();
    }

    /// <summary>
    /// Every schema under a <c>definitions</c> of the bundled files, by its key there: the name its author gave it,
    /// which NJsonSchema only uses for the definitions of the schema it generates from (here, each document's own).
    /// </summary>
    private static Dictionary<JsonSchema, string> DefinitionKeys(IEnumerable<JsonSchema> files)
    {
        var keys = new Dictionary<JsonSchema, string>();
        var pending = new Stack<JsonSchema>(files);
        while (pending.Count > 0)
        {
            foreach (var (key, definition) in pending.Pop().Definitions)
            {
                if (keys.TryAdd(definition.ActualSchema, key))
                    pending.Push(definition);
            }
        }

        return keys;
    }

    private static CSharpGeneratorSettings Settings(ModelOptions options, DocumentTypeNames names)
    {
        var settings = new CSharpGeneratorSettings
        {
            Namespace = options.Namespace,
            ClassStyle = CSharpClassStyle.Poco,
            JsonLibrary = CSharpJsonLibrary.SystemTextJson,
            // 9.0 or later makes enum members carry JsonStringEnumMemberName, the attribute System.Text.Json reads.
            JsonLibraryVersion = 9.0m,
            GenerateNullableReferenceTypes = options.NullableReferenceTypes,
            // Always: a non-nullable DateOnly or long would turn an absent optional value into 0001-01-01 or 0.
            GenerateOptionalPropertiesAsNullable = true,
            IntegerType = "long",
            NumberType = "decimal",
            DateType = "System.DateOnly",
            DateTimeType = "System.DateTimeOffset",
            // A default is an annotation: a model that filled it in would send values the case worker never entered.
            GenerateDefaultValues = false,
            TypeNameGenerator = names,
            PropertyAttributeFactory = new OptionalPropertiesLeftOutWhenNull(),
        };
        settings.TemplateFactory = new EnumsConvertedAsStrings(settings);
        return settings;
    }

    private static string Pascal(string key)
    {
        var parts = NonIdentifier().Split(key).Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p[1..]);
        var name = string.Concat(parts);
        return name.Length == 0 ? "Document" : char.IsAsciiDigit(name[0]) ? "_" + name : name;
    }

    [GeneratedRegex("[^A-Za-z0-9_]+")]
    private static partial Regex NonIdentifier();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial Regex NamespacePattern();

    /// <summary>NJsonSchema's generator, with its file writer for a chosen set of types opened up.</summary>
    private sealed class ModelFileGenerator(JsonSchema schema, CSharpGeneratorSettings settings, CSharpTypeResolver resolver)
        : CSharpGenerator(schema, settings, resolver)
    {
        public string File(IEnumerable<CodeArtifact> types) => GenerateFile(types);
    }

    /// <summary>
    /// Names each document's type as the template's key says, a definition after its key wherever it is used, and every
    /// other type as NJsonSchema would; a name another type already has is prefixed with the current document's type
    /// before a number is tried.
    /// </summary>
    private sealed class DocumentTypeNames(IReadOnlyDictionary<JsonSchema, string> documents, IReadOnlyDictionary<JsonSchema, string> definitionKeys)
        : DefaultTypeNameGenerator
    {
        public string CurrentDocument { get; set; } = "";

        public override string Generate(JsonSchema schema, string? typeNameHint, IEnumerable<string> reservedTypeNames)
        {
            if (documents.TryGetValue(schema.ActualSchema, out var document))
                return document;
            if (definitionKeys.TryGetValue(schema.ActualSchema, out var key))
                typeNameHint = key;

            var reserved = new HashSet<string>(reservedTypeNames, StringComparer.Ordinal);
            reserved.UnionWith(documents.Values);
            var name = base.Generate(schema, typeNameHint, documents.Values);
            if (!reserved.Contains(name))
                return name;
            var qualified = name.StartsWith(CurrentDocument, StringComparison.Ordinal) ? name : CurrentDocument + name;
            for (var (candidate, i) = (qualified, 2); ; candidate = qualified + i++)
            {
                if (!reserved.Contains(candidate))
                    return candidate;
            }
        }
    }

    /// <summary>
    /// System.Text.Json writes null properties by default; an optional property of a type that does not allow null
    /// would then be written as <c>null</c> and the document refused. Left out instead, as the sender left it out.
    /// </summary>
    private sealed class OptionalPropertiesLeftOutWhenNull : IPropertyAttributeFactory
    {
        public IEnumerable<string> CreateAttributes(PropertyModel property, JsonSchemaProperty schemaProperty) => property.IsRequired
            ? []
            : ["[System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]"];
    }

    /// <summary>
    /// NJsonSchema puts the string-enum converter on enum properties only; an array of enum values would then be read
    /// and written as numbers. The converter on the enum type itself covers both, through NJsonSchema's
    /// <c>Enum.Annotations</c> extension point.
    /// </summary>
    private sealed class EnumsConvertedAsStrings(CodeGeneratorSettingsBase settings)
        : DefaultTemplateFactory(settings, [typeof(CSharpGeneratorSettings).Assembly])
    {
        protected override string GetEmbeddedLiquidTemplate(string language, string template) => template == "Enum.Annotations"
            ? "[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<{{ Name }}>))]"
            : base.GetEmbeddedLiquidTemplate(language, template);
    }
}
