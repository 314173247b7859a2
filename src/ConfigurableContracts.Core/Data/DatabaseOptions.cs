using System.Data.Common;
using Microsoft.Data.SqlClient;
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

    /// <summary>
    /// Lets a SQL Server connection string set <c>TrustServerCertificate=true</c>: the link is encrypted but any
    /// certificate is accepted, so whoever sits between server and database can read it. For a development
    /// database with a self-signed certificate only; off by default.
    /// </summary>
    public bool AllowUntrustedServerCertificate { get; set; }
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
        else if (options.Provider == DatabaseProvider.SqlServer)
        {
            ValidateSqlServerEncryption(options.ConnectionString, options.AllowUntrustedServerCertificate, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// Refuses a SQL Server connection string unless SqlClient will encrypt the link (Encrypt resolving to Mandatory
    /// or Strict). It is parsed as SqlClient parses it, so <c>Encrypt = no</c>, <c>Encrypt=Optional</c> or a
    /// misspelt value are caught as surely as <c>Encrypt=false</c>; an omitted Encrypt takes SqlClient 7's default
    /// (Mandatory). Unencrypted links expose the login and children's data on the wire (and were the precondition of
    /// CVE-2024-0056 in older SqlClient), so the server refuses to start rather than warn. For the same reason
    /// <c>TrustServerCertificate=true</c> with Mandatory is refused unless explicitly allowed: it encrypts without
    /// checking whom to (Strict always checks the certificate, so it is not affected).
    /// </summary>
    private static void ValidateSqlServerEncryption(string connectionString, bool allowUntrustedCertificate, List<string> failures)
    {
        // Quote only the Encrypt value as written: the rest of the string may hold a password, and a start-up
        // error ends up in logs.
        var written = new DbConnectionStringBuilder();
        SqlConnectionStringBuilder parsed;
        try
        {
            written.ConnectionString = connectionString;
            parsed = new SqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            var raw = written.TryGetValue("Encrypt", out var value) ? $" (Encrypt '{value}')" : string.Empty;
            failures.Add($"Database:ConnectionString for SqlServer cannot be read by SqlClient{raw}; "
                + "it must be a valid connection string with Encrypt=Mandatory or Strict (see README, Security).");
            return;
        }

        var encrypt = parsed.Encrypt;
        if (encrypt != SqlConnectionEncryptOption.Mandatory && encrypt != SqlConnectionEncryptOption.Strict)
        {
            var raw = written.TryGetValue("Encrypt", out var value) ? $"'Encrypt={value}'" : "no Encrypt";
            failures.Add($"Database:ConnectionString for SqlServer sets {raw}, which SqlClient reads as Optional (unencrypted); "
                + "encryption is required: Encrypt=Mandatory (or true) or Strict (see README, Security).");
        }
        else if (encrypt == SqlConnectionEncryptOption.Mandatory && parsed.TrustServerCertificate && !allowUntrustedCertificate)
        {
            failures.Add("Database:ConnectionString for SqlServer sets TrustServerCertificate, which SqlClient reads as true: any server certificate is accepted; "
                + "trust the server's certificate on this machine (or use Encrypt=Strict), or for a development database only "
                + "set Database:AllowUntrustedServerCertificate=true (see README, Security).");
        }
    }
}
