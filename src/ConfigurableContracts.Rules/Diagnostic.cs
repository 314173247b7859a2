using System.Globalization;

namespace ConfigurableContracts.Rules;

/// <summary>How bad a diagnostic is: errors stop a template from loading, warnings do not.</summary>
public enum DiagnosticSeverity
{
    Error,
    Warning,
}

/// <summary>A 1-based position inside a file, as editors count it.</summary>
public readonly record struct SourceLocation(string Path, int Line, int Column);

/// <summary>A finding about a rule or template file, printed as <c>path:line:col: error CODE: message</c>.</summary>
public sealed record Diagnostic(string Code, DiagnosticSeverity Severity, string Message, SourceLocation Location, string? RuleName = null)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Location.Path}:{Location.Line}:{Location.Column}: {(Severity == DiagnosticSeverity.Error ? "error" : "warning")} {Code}: {Message}");
}
