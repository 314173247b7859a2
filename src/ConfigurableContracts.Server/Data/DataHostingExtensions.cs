using System.Data.Common;
using ConfigurableContracts.Core.Data;
using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ConfigurableContracts.Server.Data;

/// <summary>
/// Wires the database (Core's, from AddContractsCore) into the host: migrations before the server listens, and the
/// health check.
/// </summary>
public static class DataHostingExtensions
{
    public static WebApplicationBuilder AddData(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHostedService<MigrateOnStart>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Applies pending migrations when the host starts. Hosted services start before the web server, so no
    /// request ever meets a half-migrated database.
    /// </summary>
    private sealed class MigrateOnStart(MigrationRunner migrations, Microsoft.Extensions.Options.IOptions<DatabaseOptions> options) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.Value.MigrateOnStart)
            {
                await migrations.MigrateAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Healthy when the database answers and every migration this build carries has been applied.</summary>
internal sealed class DatabaseHealthCheck(DbConnectionFactory connections, MigrationRunner migrations) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using DbConnection connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteScalarAsync<int>("SELECT 1").ConfigureAwait(false);
            var applied = await migrations.AppliedAsync(cancellationToken).ConfigureAwait(false);
            var expected = migrations.Available.Count == 0 ? 0 : migrations.Available[^1].Version;
            var current = applied.Count == 0 ? 0 : applied[^1];
            var data = new Dictionary<string, object>
            {
                ["provider"] = connections.Dialect.Provider.ToString(),
                ["schemaVersion"] = current,
            };
            return current >= expected
                ? HealthCheckResult.Healthy("Database reachable and migrated.", data)
                : HealthCheckResult.Unhealthy($"Database schema is at version {current}, this build needs {expected}.", data: data);
        }
        catch (DbException exception)
        {
            // The exception text may carry host names; the health endpoint says only what kind of failure it was.
            return HealthCheckResult.Unhealthy($"Database unreachable ({exception.GetType().Name}).");
        }
    }
}
