using Microsoft.Extensions.Options;
using Quartz;

namespace ConfigurableContracts.Core.Privacy;

/// <summary>
/// Reports every bad <c>Retention</c> setting, quoting the value that is wrong: at start-up in the server, before
/// <c>contracts retention</c> touches anything in the CLI.
/// </summary>
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
