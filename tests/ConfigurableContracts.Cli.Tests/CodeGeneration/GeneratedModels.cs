using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ConfigurableContracts.Cli.Tests.CodeGeneration;

/// <summary>
/// Generated model code compiled with Roslyn against the .NET 10 reference assemblies, as a consumer's project would
/// compile it, and loaded into a collectible context so documents can be read into its types and written back.
/// </summary>
internal sealed class GeneratedModels : IDisposable
{
    private readonly AssemblyLoadContext _context;
    private readonly Assembly _assembly;

    private GeneratedModels(AssemblyLoadContext context, Assembly assembly)
    {
        _context = context;
        _assembly = assembly;
    }

    /// <summary>Compiles <paramref name="sources"/>; fails the test with every compiler error when it does not compile.</summary>
    public static GeneratedModels Compile(IReadOnlyList<string> sources, bool nullable)
    {
        var trees = sources.Select(source => CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))).ToList();
        var compilation = CSharpCompilation.Create(
            "GeneratedModels" + Guid.NewGuid().ToString("N"),
            trees,
            Net100.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: nullable ? NullableContextOptions.Enable : NullableContextOptions.Disable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(emitted.Success && errors.Count == 0, "the generated code does not compile:\n" + string.Join('\n', errors));

        image.Position = 0;
        var context = new AssemblyLoadContext("generated-models", isCollectible: true);
        return new GeneratedModels(context, context.LoadFromStream(image));
    }

    public Type Type(string fullName) =>
        _assembly.GetType(fullName) ?? throw new InvalidOperationException($"the generated code has no type {fullName}; it has: " +
            string.Join(", ", _assembly.GetTypes().Select(t => t.FullName)));

    public IEnumerable<Type> Types => _assembly.GetTypes();

    /// <summary>Reads <paramref name="json"/> into <paramref name="type"/> with System.Text.Json's defaults and writes it back.</summary>
    public static string RoundTrip(string json, Type type)
    {
        var model = JsonSerializer.Deserialize(json, type) ?? throw new InvalidOperationException("the document read as null");
        return JsonSerializer.Serialize(model, type);
    }

    public void Dispose() => _context.Unload();
}

/// <summary>
/// JSON equality for round trips: numbers equal as decimals (<c>1</c> and <c>1.0</c>), objects regardless of property
/// order. One difference is allowed and named: a property that was <c>null</c> may come back absent, because a C#
/// property cannot tell the two apart and the models leave null optional properties out (the round-trip test also
/// checks the written document against the schema, so an absence the schema forbids still fails).
/// </summary>
internal static class JsonSemantics
{
    /// <summary>The first place where <paramref name="written"/> differs from <paramref name="original"/>, or null.</summary>
    public static string? Difference(JsonElement original, JsonElement written, string path = "$")
    {
        if (original.ValueKind != written.ValueKind)
            return $"{path}: {original.ValueKind} became {written.ValueKind}";

        switch (original.ValueKind)
        {
            case JsonValueKind.Object:
                var writtenProperties = written.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
                foreach (var property in original.EnumerateObject())
                {
                    if (!writtenProperties.Remove(property.Name, out var value))
                    {
                        if (property.Value.ValueKind == JsonValueKind.Null)
                            continue;
                        return $"{path}.{property.Name}: left out";
                    }

                    if (Difference(property.Value, value, $"{path}.{property.Name}") is { } difference)
                        return difference;
                }

                return writtenProperties.Count == 0 ? null : $"{path}: gained {string.Join(", ", writtenProperties.Keys)}";
            case JsonValueKind.Array:
                if (original.GetArrayLength() != written.GetArrayLength())
                    return $"{path}: {original.GetArrayLength()} items became {written.GetArrayLength()}";
                return original.EnumerateArray().Zip(written.EnumerateArray())
                    .Select((pair, i) => Difference(pair.First, pair.Second, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]"))
                    .FirstOrDefault(d => d is not null);
            case JsonValueKind.Number:
                return original.GetDecimal() == written.GetDecimal() ? null : $"{path}: {original.GetRawText()} became {written.GetRawText()}";
            case JsonValueKind.String:
                return original.GetString() == written.GetString() ? null : $"{path}: {original.GetRawText()} became {written.GetRawText()}";
            default:
                return null; // true, false, null: the kinds are equal
        }
    }
}
