using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConfigurableContracts.Core.Evaluations;

/// <summary>Registers run records, the runner and the evaluation, shared by the server and the CLI.</summary>
public static class EvaluationServiceCollectionExtensions
{
    /// <summary>
    /// Adds the evaluation services. <see cref="ParticipantCountingEvaluation"/> is registered only when no
    /// other <see cref="IContractEvaluation"/> is, so the rule-engine evaluation replaces it by registering first.
    /// </summary>
    public static IServiceCollection AddEvaluations(this IServiceCollection services)
    {
        services.AddOptions<SchedulerOptions>().BindConfiguration(SchedulerOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IContractEvaluation, ParticipantCountingEvaluation>();
        services.AddSingleton<EvaluationRunStore>();
        services.AddSingleton<EvaluableContracts>();
        services.AddSingleton<EvaluationRunner>();
        return services;
    }
}
