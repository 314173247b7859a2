using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// Picks up edits to template files without a restart. File-system notifications trigger a reload once the files
/// have been quiet for <see cref="TemplateOptions.ReloadDebounce"/>; because notifications get lost on network
/// shares and in some containers, a fingerprint of the folders is also compared every
/// <see cref="TemplateOptions.PollingInterval"/>.
/// </summary>
public sealed class TemplateReloader(
    TemplateCatalog catalog,
    TemplateLoader loader,
    IOptions<TemplateOptions> options,
    TimeProvider time,
    ILogger<TemplateReloader> logger) : BackgroundService
{
    private readonly SemaphoreSlim _signal = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.HotReload)
        {
            return;
        }

        using var schemasWatcher = Watch(loader.SchemasRoot);
        using var rulesWatcher = Watch(loader.RulesRoot);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = catalog.RemovalPending ? options.Value.ReloadDebounce : options.Value.PollingInterval;
            var notified = await WaitAsync(_signal, wait, stoppingToken).ConfigureAwait(false);
            if (notified)
            {
                // Let a burst of saves settle, then drain the notifications it caused.
                await Task.Delay(options.Value.ReloadDebounce, time, stoppingToken).ConfigureAwait(false);
                while (_signal.CurrentCount > 0)
                {
                    await _signal.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }

            // Compared with what the catalog last loaded, not with what this loop saw first: an edit made between
            // start-up's load and this service starting must not be lost. A template missed by the last reload is
            // looked for again even when nothing changed since, so its removal completes.
            if (loader.Fingerprint() == catalog.LoadedFingerprint && !catalog.RemovalPending)
            {
                continue;
            }

            try
            {
                catalog.Reload();
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
            {
                // A file half-written by an editor, or the stored versions out of reach; the next change or poll tries again.
                logger.LogWarning(exception, "Template reload failed; keeping the loaded templates.");
            }
        }
    }

    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
    }

    private FileSystemWatcher? Watch(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return null;
        }

        FileSystemWatcher watcher;
        try
        {
            watcher = new FileSystemWatcher(folder) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size };
        }
        catch (IOException exception)
        {
            // E.g. the per-user inotify limit is reached: changes are still found by polling, only later.
            logger.LogWarning(exception, "Cannot watch {Folder} for changes; relying on polling every {Interval}.", folder, options.Value.PollingInterval);
            return null;
        }

        watcher.Changed += (_, _) => _signal.Release();
        watcher.Created += (_, _) => _signal.Release();
        watcher.Deleted += (_, _) => _signal.Release();
        watcher.Renamed += (_, _) => _signal.Release();
        watcher.Error += (_, args) => logger.LogWarning(args.GetException(), "File watching failed for {Folder}; polling continues.", folder);
        try
        {
            watcher.EnableRaisingEvents = true;
        }
        catch (IOException exception)
        {
            logger.LogWarning(exception, "Cannot watch {Folder} for changes; relying on polling every {Interval}.", folder, options.Value.PollingInterval);
            watcher.Dispose();
            return null;
        }

        return watcher;
    }

    private async Task<bool> WaitAsync(SemaphoreSlim signal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, time, timeoutSource.Token);
        var wait = signal.WaitAsync(timeoutSource.Token);
        var first = await Task.WhenAny(delay, wait).ConfigureAwait(false);
        await timeoutSource.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return first == wait && wait.IsCompletedSuccessfully;
    }
}
