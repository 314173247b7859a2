using ConfigurableContracts.Core.Templates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core.Tests.Templates;

/// <summary>
/// The reloader against real files and the real file watcher: edits are picked up without a restart, and a broken
/// edit leaves the last good version in service. Waits are bounded; nothing here asserts on elapsed time.
/// </summary>
public sealed class TemplateReloaderTests : IDisposable
{
    private readonly TemplateFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Reloader_PicksUpEdits_AndKeepsLastGoodVersion_WhenAnEditBreaks()
    {
        var options = new TemplateOptions { ReloadDebounce = TimeSpan.FromMilliseconds(50), PollingInterval = TimeSpan.FromSeconds(1) };
        var loader = new TemplateLoader(_folder.Root, options);
        var catalog = new TemplateCatalog(loader, NullLogger<TemplateCatalog>.Instance);
        catalog.Reload();
        using var reloader = new TemplateReloader(catalog, loader, Options.Create(options), TimeProvider.System, NullLogger<TemplateReloader>.Instance);
        await reloader.StartAsync(CancellationToken.None);
        try
        {
            _folder.Write($"schemas/{TemplateFolder.Id}/template.json", TemplateFolder.Manifest(version: "1.1.0"));
            await UntilAsync(() => catalog.TryGet(TemplateFolder.Id, "1.1.0", out _));

            _folder.Write($"rules/{TemplateFolder.Id}/outcomes.json", """{ "WorkflowName": "Outcomes", "Rules": [ { "RuleName": "Scored", "Expression": "followUp.scroe > 1" } ] }""");
            await UntilAsync(() => catalog.Diagnostics(TemplateFolder.Id).Any(d => d.IsError));

            Assert.Equal("1.1.0", Assert.Single(catalog.Templates).Version);
            Assert.Contains(catalog.Diagnostics(TemplateFolder.Id), d => d.Code == "CCR0202" && d.Location.Path.EndsWith("outcomes.json", StringComparison.Ordinal));
        }
        finally
        {
            await reloader.StopAsync(CancellationToken.None);
        }
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 200 && !condition(); attempt++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "The reloader did not pick up the change within 10 seconds.");
    }
}
