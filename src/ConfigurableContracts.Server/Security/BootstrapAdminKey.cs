using ConfigurableContracts.Core.Organisations;
using ConfigurableContracts.Core.Security;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Security;

/// <summary>
/// On first start (no key in the database at all) creates the platform organisation and an admin key, writes the
/// key to a file only the server's user can read, and logs the file's path — never the key, since logs travel.
/// </summary>
/// <remarks>
/// Registered after the migration service, so the tables exist. Two instances starting together against one fresh
/// database could each make a key; both files then hold valid admin keys, which is harmless and visible.
/// </remarks>
internal sealed class BootstrapAdminKey(
    IOptions<BootstrapOptions> options,
    IHostEnvironment environment,
    OrganisationStore organisations,
    ApiKeyStore keys,
    ILogger<BootstrapAdminKey> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled || await keys.AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (await organisations.GetAsync(settings.OrganisationId, cancellationToken).ConfigureAwait(false) is null)
        {
            await organisations.CreateAsync(settings.OrganisationId, settings.OrganisationName, cancellationToken).ConfigureAwait(false);
        }

        var created = await keys.CreateAsync(settings.OrganisationId, Roles.Admin, "bootstrap", cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Organisation '{settings.OrganisationId}' vanished while bootstrapping the admin key.");
        var path = Path.GetFullPath(Path.Combine(environment.ContentRootPath, settings.KeyFile));
        await WriteOwnerOnlyAsync(path, created.Secret + Environment.NewLine, cancellationToken).ConfigureAwait(false);
        logger.LogWarning(
            "No API key existed, so an admin key {KeyId} for organisation {OrganisationId} was created and written to {KeyFile}. " +
            "Use it to create organisations and keys, then delete the file.",
            created.Key.Id,
            settings.OrganisationId,
            path);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task WriteOwnerOnlyAsync(string path, string content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Set at creation, so there is no moment when the file exists with wider permissions.
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(path, fileOptions);
        await using (stream.ConfigureAwait(false))
        {
            if (!OperatingSystem.IsWindows())
            {
                // UnixCreateMode applies only to a new file; an old file from a wiped database keeps its mode otherwise.
                File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            await using var writer = new StreamWriter(stream);
            await writer.WriteAsync(content.AsMemory(), cancellationToken).ConfigureAwait(false);
        }
    }
}
