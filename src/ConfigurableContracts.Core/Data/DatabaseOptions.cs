using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core.Data;

/// <summary>Which database the server stores its data in. Bound from the <c>Database</c> section.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary><c>Sqlite</c> (embedded default), <c>PostgreSql</c> or <c>SqlServer</c>.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// The connection string; when empty, <c>ConnectionStrings:{Provider}</c> is used. A relative SQLite
    /// <c>Data Source</c> is resolved against the content root (the folder holding appsettings.json).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Apply pending migration scripts at start-up.</summary>
    public bool MigrateOnStart { get; set; } = true;
}

/// <summary>The databases the store runs on; each has its own migration scripts.</summary>
public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
    SqlServer,
}

/// <summary>Reports every bad database setting at start-up, quoting the value that is wrong.</summary>
public sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Provider))
        {
            failures.Add($"Database:Provider '{options.Provider}' is not one of Sqlite, PostgreSql, SqlServer.");
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"Database:ConnectionString is empty and ConnectionStrings:{options.Provider} is not set.");
        }
        else if (options.Provider == DatabaseProvider.SqlServer
                 && options.ConnectionString.Contains("Encrypt=false", StringComparison.OrdinalIgnoreCase))
        {
            // Microsoft.Data.SqlClient 2.1.4 is the newest the registry has; unencrypted links make CVE-2024-0056
            // (credential relay) trivially exploitable, so we refuse to start rather than warn.
            failures.Add("Database:ConnectionString for SqlServer sets 'Encrypt=false'; encryption is required (see README, Security).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
