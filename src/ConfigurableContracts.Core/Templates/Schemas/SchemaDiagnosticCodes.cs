namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// The stable diagnostic codes of the schema guard, from Core's range (CCT0001–CCT0999); tests and documentation refer
/// to them by name. A refused schema is reported as <see cref="Rules.Diagnostic"/>s carrying one of these codes, a
/// plain message that names the keyword, the JSON pointer of the offending schema location and, where known, its
/// line and column in the schema file (1-based, the column in characters; 1:1 when the file could not be read at all).
/// </summary>
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

    // CCT0015 (NJsonSchema could not model an accepted schema) is retired with that model: never reuse the number.
}
