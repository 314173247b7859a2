using ConfigurableContracts.Core.Evaluation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConfigurableContracts.Core.Evaluations;

/// <summary>Registers run records, the runner and the evaluation, shared by the server and the CLI.</summary>
public static class EvaluationServiceCollectionExtensions
{
    /// <summary>
    /// Adds the evaluation services: run records, the runner, and the rule-engine evaluation (which needs the
    /// template catalog registered too). Tests may register another <see cref="IContractEvaluation"/> first.
    /// </summary>
    public static IServiceCollection AddEvaluations(this IServiceCollection services)
    {
        services.AddOptions<SchedulerOptions>().BindConfiguration(SchedulerOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BundleTemplates>();
        services.TryAddSingleton<ContractEvaluator>();
        services.TryAddSingleton<IContractEvaluation, RuleEngineEvaluation>();
        services.AddSingleton<EvaluationRunStore>();
        services.AddSingleton<EvaluableContracts>();
        services.AddSingleton<EvaluationRunner>();
        return services;
    }
}
