using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Measurements;
using ConfigurableContracts.Core.Organisations;
using ConfigurableContracts.Core.Participants;
using ConfigurableContracts.Core.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core.Data;

/// <summary>Registers the database: options, connection factory, migrations and the stores over them.</summary>
public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="DatabaseOptions"/> from <c>Database</c>, falling back to <c>ConnectionStrings:{Provider}</c>,
    /// and resolves a relative SQLite file against <paramref name="contentRoot"/> so the server finds the same
    /// database whatever folder it was started from.
    /// </summary>
    public static IServiceCollection AddDatabase(this IServiceCollection services, string contentRoot)
    {
        services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.SectionName)
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                if (string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    options.ConnectionString = configuration.GetConnectionString(options.Provider.ToString());
                }

                if (options.Provider == DatabaseProvider.Sqlite && !string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    options.ConnectionString = ResolveSqlitePath(options.ConnectionString, contentRoot);
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        services.AddSingleton<DbConnectionFactory>();
        services.AddSingleton<MigrationRunner>();
        DapperTypeHandlers.Register();

        // The stores are stateless over the connection factory; the server and the CLI share them.
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<OrganisationStore>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<ContractStore>();
        services.AddSingleton<ParticipantStore>();
        services.AddSingleton<MeasurementStore>();
        services.AddSingleton<BulkUploadStore>();
        return services;
    }

    internal static string ResolveSqlitePath(string connectionString, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var source = builder.DataSource;
        if (string.IsNullOrEmpty(source) || source == ":memory:" || source.StartsWith("file:", StringComparison.Ordinal)
            || builder.Mode == SqliteOpenMode.Memory || Path.IsPathRooted(source))
        {
            return connectionString;
        }

        builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, source));
        return builder.ToString();
    }
}
