using System.CommandLine;

namespace ConfigurableContracts.Cli.Commands;

/// <summary>Options several commands share, declared once so their spelling and help text never drift.</summary>
internal static class CommonOptions
{
    public static Option<string?> Settings() => new("--settings")
    {
        Description = "The appsettings.json to read (default: the nearest one from the current folder upwards).",
    };
}
