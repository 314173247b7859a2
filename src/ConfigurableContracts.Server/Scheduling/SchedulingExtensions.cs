using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Runs;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace ConfigurableContracts.Server.Scheduling;

/// <summary>
/// Nightly evaluations with Quartz.NET: the clustered ADO.NET job store on PostgreSQL and SQL Server (its
/// tables come from our migrations), the in-memory store on SQLite; jobs and triggers synced with the
/// contracts at start-up, orphaned runs resumed and missed nights caught up, abandoned runs recovered while running.
/// </summary>
public static class SchedulingExtensions
{
    /// <summary>The Quartz scheduler name; every instance of one deployment shares it, so they form one cluster.</summary>
    public const string SchedulerName = "ConfigurableContracts";

    public static WebApplicationBuilder AddScheduling(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddScheduling(builder.Services, builder.Configuration);
        return builder;
    }

    /// <summary>The same wiring on any service collection (the cluster tests host two of them in one process).</summary>
    public static IServiceCollection AddScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // Core's evaluation with its validated Scheduler options (part of AddContractsCore; added again harmlessly so
        // the scheduling can be hosted on its own).
        services.AddEvaluations();
        services.AddSingleton<ContractSchedule>();

        // The store is a structural choice Quartz makes when it is registered, so it is read from configuration here.
        var provider = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>()?.Provider ?? DatabaseProvider.Sqlite;
        var settings = configuration.GetSection(SchedulerOptions.SectionName).Get<SchedulerOptions>() ?? new SchedulerOptions();
        var clustered = settings.Clustered ?? provider != DatabaseProvider.Sqlite;

        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = SchedulerName;
                if (!string.IsNullOrWhiteSpace(settings.InstanceId))
                {
                    scheduler.InstanceId = settings.InstanceId;
                }
                else if (clustered)
                {
                    scheduler.GenerateInstanceId = true;
                }
                else
                {
                    scheduler.InstanceId = Environment.MachineName;
                }

                // Stopping interrupts running evaluations; the runner hands each back for recovery.
                scheduler.ShutdownJobInterruption = ShutdownJobInterruption.Always;
            });
            quartz.AddJobType<EvaluationJob>();
            if (!clustered)
            {
                quartz.UseInMemoryStore(_ => { });
                return;
            }

            quartz.UsePersistentStore(store =>
            {
                if (provider == DatabaseProvider.PostgreSql)
                {
                    store.UsePostgres(source => source.DataSourceFactory = services => NpgsqlDataSource.Create(ConnectionString(services)));
                }
                else
                {
                    store.UseSqlServer(source => source.DataSourceFactory = services => SqlClientFactory.Instance.CreateDataSource(ConnectionString(services)));
                }

                store.UseClustering(cluster =>
                {
                    cluster.CheckinInterval = settings.ClusterCheckinInterval;
                    cluster.CheckinMisfireThreshold = settings.ClusterCheckinMisfireThreshold;
                });
                store.ConfigureStore(ado =>
                {
                    // Our migrations create and upgrade the QRTZ_ tables; Quartz only checks they are there.
                    ado.SchemaProvisioning = SchemaProvisioning.Validate;
                    ado.RecoverFiringsCancelledByShutdown = true;
                    ado.MisfireThreshold = settings.MisfireThreshold;
                });
            });
        });
        services.AddQuartzHostedService(hosted => hosted.WaitForJobsToComplete = true);
        services.AddHostedService<SchedulingStartup>();
        services.AddHostedService<RunRecovery>();
        return services;
    }

    private static string ConnectionString(IServiceProvider services) =>
        services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString
        ?? throw new InvalidOperationException("Database:ConnectionString is not set.");
}
