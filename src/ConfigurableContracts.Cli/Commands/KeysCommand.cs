using System.CommandLine;
using ConfigurableContracts.Cli.Hosting;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Organisations;
using ConfigurableContracts.Core.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Cli.Commands;

/// <summary>
/// <c>contracts keys create --org ID --role ROLE</c>: issues an API key straight against the database, for the
/// operator who provisions keys without the server (or lost the bootstrap key). The key is printed once, alone on
/// standard output, so a script can capture it; it is never stored anywhere but as its hash. The issue is audited
/// as <c>cli:&lt;OS user&gt;</c> before the key is shown. Admin keys are issued only to the platform organisation
/// (<c>Security:Bootstrap:OrganisationId</c>, as the server reads it).
/// </summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var settings = CommonOptions.Settings();
        var organisation = new Option<string>("--org") { Description = "The organisation id the key acts for (lower-case words joined by hyphens).", Required = true };
        var organisationName = new Option<string?>("--org-name") { Description = "Create the organisation with this name if it does not exist yet." };
        var role = new Option<string>("--role") { Description = $"The role the key acts in: {string.Join(", ", Roles.All)}.", Required = true };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        var label = new Option<string?>("--label") { Description = "A note saying who or what holds the key, shown when keys are listed." };

        var create = new Command("create", "Issue a new API key and print it once.") { organisation, organisationName, role, label, settings };
        create.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var organisationId = parseResult.GetRequiredValue(organisation);
            if (!OrganisationIds.IsValid(organisationId))
            {
                await error.WriteLineAsync($"error: '{organisationId}' is not an organisation id: use lower-case letters and digits joined by single hyphens.").ConfigureAwait(false);
                return 2;
            }

            await using var services = CliServices.Build(parseResult.GetValue(settings));
            var roleName = parseResult.GetRequiredValue(role);
            var platform = services.GetRequiredService<IConfiguration>()[PlatformOrganisation.ConfigurationKey] is { Length: > 0 } configured
                ? configured
                : PlatformOrganisation.DefaultId;
            if (!PlatformOrganisation.MayHold(organisationId, roleName, platform))
            {
                await error.WriteLineAsync($"error: {PlatformOrganisation.AdminRefusal(organisationId, platform)}").ConfigureAwait(false);
                return 2;
            }

            if (services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStart)
            {
                // A fresh database (the first key of an installation) gets its tables the way the server would.
                await services.GetRequiredService<MigrationRunner>().MigrateAsync(cancellationToken).ConfigureAwait(false);
            }

            var organisations = services.GetRequiredService<OrganisationStore>();
            if (await organisations.GetAsync(organisationId, cancellationToken).ConfigureAwait(false) is null)
            {
                if (parseResult.GetValue(organisationName) is not { Length: > 0 } name)
                {
                    await error.WriteLineAsync($"error: organisation '{organisationId}' does not exist; add --org-name to create it.").ConfigureAwait(false);
                    return 1;
                }

                await organisations.CreateAsync(organisationId, name, cancellationToken).ConfigureAwait(false);
                await error.WriteLineAsync($"created organisation '{organisationId}'").ConfigureAwait(false);
            }

            var created = await services.GetRequiredService<ApiKeyStore>()
                .CreateAsync(organisationId, roleName, parseResult.GetValue(label) ?? "cli", cancellationToken).ConfigureAwait(false);
            if (created is null)
            {
                await error.WriteLineAsync($"error: organisation '{organisationId}' disappeared while the key was made.").ConfigureAwait(false);
                return 1;
            }

            await services.GetRequiredService<OperatorAudit>()
                .KeyCreatedAsync(organisationId, created.Key.Role, created.Key.Id, cancellationToken).ConfigureAwait(false);

            // The key alone on stdout; what it is goes to stderr, so `KEY=$(contracts keys create ...)` works.
            await error.WriteLineAsync($"key {created.Key.Id} for '{organisationId}' as {created.Key.Role}; it is shown only now:").ConfigureAwait(false);
            await output.WriteLineAsync(created.Secret).ConfigureAwait(false);
            return 0;
        });
        return new Command("keys", "Manage API keys.") { create };
    }
}
