namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// One <c>$ref</c> as the guard resolved it: the schema object at <paramref name="FromPointer"/> in
/// <paramref name="FromFile"/> refers to the value at <paramref name="ToPointer"/> (a JSON pointer, percent-decoded,
/// <c>""</c> for the root) in <paramref name="ToFile"/>. Files are full paths.
/// </summary>
internal sealed record ResolvedReference(string FromFile, string FromPointer, string ToFile, string ToPointer);

/// <summary>One file of a guarded schema: its text as the guard read it, and where each of its <c>$ref</c>s led.</summary>
internal sealed record SchemaSource(string FullPath, string Text, IReadOnlyList<ResolvedReference> References);
