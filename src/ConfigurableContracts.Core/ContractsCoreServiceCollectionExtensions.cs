using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Outcomes;
using ConfigurableContracts.Core.Payments;
using ConfigurableContracts.Core.Privacy;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Core.Templates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core;

/// <summary>
/// The one registration of Core that every host calls (the server in Program.cs, the CLI in CliServices), so both
/// run the same services over the same options, checked by the same validators. What only one host needs stays in
/// that host: authentication, rate limits, Quartz jobs, template hot reload and endpoints in the server; operator
/// audit in the CLI.
/// </summary>
public static class ContractsCoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds Core's services and options. Each options class is bound from its section and validated by the
    /// validator beside it, marked to be checked at start-up: a host with a start-up (the server) refuses to start
    /// on a bad value; a host without one (the CLI) refuses when a command first reads the section, with the same
    /// message. Relative paths in configuration (the SQLite file, <c>schemas/</c>, <c>rules/</c>) resolve against
    /// <paramref name="contentRoot"/>.
    /// </summary>
    /// <param name="configuration">The host's configuration; registered for the options to bind from, unless the host already has.</param>
    /// <param name="contentRoot">The folder holding the appsettings.json the configuration came from.</param>
    public static IServiceCollection AddContractsCore(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(configuration);
        services.TryAddSingleton(TimeProvider.System);

        // Data: the database options, connection factory, migrations and the stores over them.
        services.AddDatabase(contentRoot);

        // Templates: the catalog from schemas/ and rules/, and the stored bundles contracts are pinned to.
        services.AddTemplateCatalog(contentRoot);
        services.TryAddSingleton<BundleTemplates>();

        // Evaluation: scheduler options, run records, the runner and the rule-engine evaluation.
        services.AddEvaluations();

        // Outcomes and payments: decisions with replay, outcome reports, payment statements.
        services.TryAddSingleton<DecisionReplay>();
        services.TryAddSingleton<DecisionStore>();
        services.TryAddSingleton<OutcomeReports>();
        services.TryAddSingleton<PaymentStatements>();

        // Audit: the tamper-evident log and the names its entries point at.
        services.TryAddSingleton<AuditLog>();
        services.TryAddSingleton<AuditTargets>();

        // Privacy: retention of participant data and the data subject export.
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>());
        services.TryAddSingleton<PrivacyAudit>();
        services.TryAddSingleton<RetentionSweep>();
        services.TryAddSingleton<ParticipantExport>();
        return services;
    }
}
