using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core.Templates;

/// <summary>Where templates are read from and how edits are picked up. Bound from the <c>Templates</c> section.</summary>
public sealed class TemplateOptions
{
    public const string SectionName = "Templates";

    /// <summary>Folder of template manifests and JSON Schemas, relative to the content root.</summary>
    public string SchemasPath { get; set; } = "schemas";

    /// <summary>Folder of workflow files, functions and rule tests, relative to the content root.</summary>
    public string RulesPath { get; set; } = "rules";

    /// <summary>Reload templates when their files change, without a restart.</summary>
    public bool HotReload { get; set; } = true;

    /// <summary>How long the files must be quiet before a reload, so a save of several files reloads once.</summary>
    public TimeSpan ReloadDebounce { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often files are compared by content when change notifications are unreliable (network shares, containers).</summary>
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Reports every bad template setting, quoting the value.</summary>
public sealed class TemplateOptionsValidator : IValidateOptions<TemplateOptions>
{
    public ValidateOptionsResult Validate(string? name, TemplateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.SchemasPath))
        {
            failures.Add("Templates:SchemasPath is empty.");
        }

        if (string.IsNullOrWhiteSpace(options.RulesPath))
        {
            failures.Add("Templates:RulesPath is empty.");
        }

        if (options.ReloadDebounce < TimeSpan.Zero || options.ReloadDebounce > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Templates:ReloadDebounce '{options.ReloadDebounce}' must be between 00:00:00 and 00:01:00.");
        }

        if (options.PollingInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"Templates:PollingInterval '{options.PollingInterval}' must be at least 00:00:01.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
