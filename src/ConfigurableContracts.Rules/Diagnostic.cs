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
/// One finding of any stage (reader, lexer, parser, binder, compiler). Codes are stable so that documentation,
/// tests and users can refer to them; see docs/rules-diagnostics.md.
/// </summary>
public sealed record Diagnostic(
    string Code,
    DiagnosticSeverity Severity,
    string Message,
    SourceLocation Location,
    string? RuleName = null)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>Compiler-style text: <c>path:line:col: error CCR0001: message</c>.</summary>
    public override string ToString()
    {
        var severity = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return $"{Location}: {severity} {Code}: {Message}";
    }
}
