using ConfigurableContracts.Core.Data;
using Microsoft.Extensions.Options;
using Quartz;

namespace ConfigurableContracts.Core.Runs;

/// <summary>
/// Reports every bad <c>Scheduler</c> setting, quoting the value that is wrong: at start-up in the server, when a
/// command first reads the settings in the CLI. Cron expressions are Quartz's, so Quartz judges them.
/// </summary>
public sealed class SchedulerOptionsValidator(IOptions<DatabaseOptions> database) : IValidateOptions<SchedulerOptions>
{
    public ValidateOptionsResult Validate(string? name, SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!CronExpression.TryParse(options.NightlyCron ?? string.Empty, out _))
        {
            failures.Add($"Scheduler:NightlyCron '{options.NightlyCron}' is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week, e.g. '0 0 2 * * ?').");
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone ?? string.Empty, out _))
        {
            failures.Add($"Scheduler:TimeZone '{options.TimeZone}' is not a time zone this machine knows (use an IANA id such as 'Europe/Stockholm').");
        }

        if (options.MaxRetries is < 0 or > 20)
        {
            failures.Add($"Scheduler:MaxRetries '{options.MaxRetries}' must be between 0 and 20.");
        }

        if (options.RetryBackoff < TimeSpan.Zero)
        {
            failures.Add($"Scheduler:RetryBackoff '{options.RetryBackoff}' must not be negative.");
        }

        if (options.BatchSizeProblem() is { } batchSize)
        {
            failures.Add(batchSize);
        }

        if (options.ProgressInterval <= TimeSpan.Zero)
        {
            failures.Add($"Scheduler:ProgressInterval '{options.ProgressInterval}' must be positive.");
        }

        if (options.LeaseDuration < options.ProgressInterval * 2)
        {
            // The lease is renewed at each progress write; shorter than two writes, a live run would lose it.
            failures.Add($"Scheduler:LeaseDuration '{options.LeaseDuration}' must be at least twice Scheduler:ProgressInterval ('{options.ProgressInterval}').");
        }

        if (options.RecoveryInterval <= TimeSpan.Zero)
        {
            failures.Add($"Scheduler:RecoveryInterval '{options.RecoveryInterval}' must be positive.");
        }

        if (options.Clustered == true && database.Value.Provider == DatabaseProvider.Sqlite)
        {
            failures.Add("Scheduler:Clustered 'true' needs Database:Provider PostgreSql or SqlServer; SQLite runs a single instance.");
        }

        if (options.InstanceId is { Length: > 200 })
        {
            failures.Add($"Scheduler:InstanceId '{options.InstanceId}' is longer than 200 characters.");
        }

        if (options.ClusterCheckinInterval <= TimeSpan.Zero || options.ClusterCheckinMisfireThreshold <= TimeSpan.Zero)
        {
            failures.Add($"Scheduler:ClusterCheckinInterval '{options.ClusterCheckinInterval}' and Scheduler:ClusterCheckinMisfireThreshold '{options.ClusterCheckinMisfireThreshold}' must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
