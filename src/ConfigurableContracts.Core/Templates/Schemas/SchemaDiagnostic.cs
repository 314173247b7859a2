namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// Why a template schema was refused at load: a stable code from Core's range (CCT0001–CCT0999), a plain message
/// that names the keyword, the JSON pointer of the offending schema location and, where known, its line and column
/// in the schema file (1-based, the column in characters; 1:1 when the file could not be read at all).
/// </summary>
public sealed record SchemaDiagnostic(string Code, string Message, string Path, string JsonPointer, int Line, int Column)
{
    /// <summary>The compiler-style form shared with the CLI and the server log: <c>path:line:col: error CODE: message</c>.</summary>
    public override string ToString() => $"{Path}:{Line}:{Column}: error {Code}: {Message}";
}

/// <summary>The stable diagnostic codes of the schema guard; tests and documentation refer to them by name.</summary>
public static class SchemaDiagnosticCodes
{
    public const string FileUnreadable = "CCT0001";
    public const string FileTooLarge = "CCT0002";
    public const string InvalidJson = "CCT0003";
    public const string TooDeep = "CCT0004";
    public const string UnsupportedKeyword = "CCT0005";
    public const string InvalidKeywordValue = "CCT0006";
    public const string RefusedReference = "CCT0007";
    public const string UnresolvedReference = "CCT0008";
    public const string UnsupportedFormat = "CCT0009";
    public const string InvalidPattern = "CCT0010";
    public const string RefusedId = "CCT0011";
    public const string UnsupportedDialect = "CCT0012";
    public const string IgnoredBesideRef = "CCT0013";
    public const string ReferenceCycle = "CCT0014";
    public const string ModelLoadFailed = "CCT0015";
}
