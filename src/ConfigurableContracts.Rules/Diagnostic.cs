using System.Globalization;

namespace ConfigurableContracts.Rules;

/// <summary>How bad a diagnostic is: errors stop a template from loading, warnings are only reported.</summary>
public enum DiagnosticSeverity
{
    Error,
    Warning,
}

/// <summary>A position in a source file, 1-based; <see cref="Path"/> is whatever the caller named the file.</summary>
public readonly record struct SourceLocation(string Path, int Line, int Column)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Path}:{Line}:{Column}");
}

/// <summary>
/// One finding of any stage (reader, lexer, parser, binder, compiler), of the schema guard (CCT codes) and of the
/// script sandbox (CCR04xx codes): the one diagnostic type, with the one printed form. Codes are stable so that
/// documentation, tests and users can refer to them; see docs/rules-diagnostics.md.
/// </summary>
/// <param name="JsonPointer">
/// For a finding inside a JSON file whose reader names values by pointer (the schema guard), the pointer of the
/// offending value (<c>/properties/age/minimun</c>); not part of the printed form.
/// </param>
public sealed record Diagnostic(
    string Code,
    DiagnosticSeverity Severity,
    string Message,
    SourceLocation Location,
    string? RuleName = null,
    string? JsonPointer = null)
{
    /// <summary>An error in the JSON file <paramref name="path"/> at the value <paramref name="jsonPointer"/>, located at 1-based line and character column.</summary>
    public Diagnostic(string code, string message, string path, string jsonPointer, int line, int column)
        : this(code, DiagnosticSeverity.Error, message, new SourceLocation(path, line, column), JsonPointer: jsonPointer)
    {
    }

    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>Compiler-style text: <c>path:line:col: error CCR0001: message</c>.</summary>
    public override string ToString()
    {
        var severity = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return $"{Location}: {severity} {Code}: {Message}";
    }
}
