namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// A sandbox limit stopped a script. It is deliberately not a Jint <c>JavaScriptException</c>: Jint's
/// <c>try/catch</c> only catches those, so a script cannot swallow the stop and carry on.
/// </summary>
internal sealed class SandboxLimitException : Exception
{
    public SandboxLimitException() { }

    public SandboxLimitException(string message) : base(message) { }

    public SandboxLimitException(string message, Exception innerException) : base(message, innerException) { }

}
