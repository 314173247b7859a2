using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Templates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core.Runs;

/// <summary>Registers run records, the runner and the evaluation, shared by the server and the CLI.</summary>
public static class EvaluationServiceCollectionExtensions
{
    /// <summary>
    /// Adds the evaluation services: the validated <see cref="SchedulerOptions"/>, run records, the runner, and the
    /// rule-engine evaluation (which needs the template catalog registered too). Tests may register another
    /// <see cref="IContractEvaluation"/> first. Adding them twice is harmless: the server's scheduling adds them
    /// again so that it can be hosted on its own.
    /// </summary>
    public static IServiceCollection AddEvaluations(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(service => service.ServiceType == typeof(EvaluationRunner)))
        {
            return services;
        }

        services.AddOptions<SchedulerOptions>().BindConfiguration(SchedulerOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SchedulerOptions>, SchedulerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BundleTemplates>();
        services.TryAddSingleton<ContractEvaluator>();
        services.TryAddSingleton<IContractEvaluation>(provider => provider.GetRequiredService<ContractEvaluator>());
        services.AddSingleton<EvaluationRunStore>();
        services.AddSingleton<EvaluableContracts>();
        services.AddSingleton<EvaluationRunner>();
        return services;
    }
}
