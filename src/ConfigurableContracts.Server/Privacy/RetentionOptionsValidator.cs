using ConfigurableContracts.Core.Privacy;
using Microsoft.Extensions.Options;
using Quartz;

namespace ConfigurableContracts.Server.Privacy;

/// <summary>Reports every bad <c>Retention</c> setting at start-up, quoting the value that is wrong.</summary>
public sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.PeriodProblem() is { } period)
        {
            failures.Add(period);
        }

        if (!CronExpression.TryParse(options.Cron ?? string.Empty, out _))
        {
            failures.Add($"Retention:Cron '{options.Cron}' is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week, e.g. '0 30 3 * * ?').");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
