namespace ConfigurableContracts.Core.Data;

/// <summary>
/// The few places where our hand-written SQL differs between databases. Everything else is written once in
/// the portable subset (named <c>@parameters</c>, plain joins), so a DBA reads the same statements everywhere.
/// </summary>
public sealed class SqlDialect
{
    private SqlDialect(DatabaseProvider provider, string migrationSuffix, string limitFormat)
    {
        Provider = provider;
        MigrationSuffix = migrationSuffix;
        _limitFormat = limitFormat;
    }

    private readonly string _limitFormat;

    public static SqlDialect Sqlite { get; } = new(DatabaseProvider.Sqlite, "sqlite", "LIMIT {0} OFFSET {1}");

    public static SqlDialect PostgreSql { get; } = new(DatabaseProvider.PostgreSql, "postgres", "LIMIT {0} OFFSET {1}");

    public static SqlDialect SqlServer { get; } = new(DatabaseProvider.SqlServer, "sqlserver", "OFFSET {1} ROWS FETCH NEXT {0} ROWS ONLY");

    public DatabaseProvider Provider { get; }

    /// <summary>The file-name part that picks this database's migration scripts, e.g. <c>0001_initial.postgres.sql</c>.</summary>
    public string MigrationSuffix { get; }

    /// <summary>A paging clause for an ordered query; the arguments are parameter names, never user text.</summary>
    public string Page(string limitParameter, string offsetParameter) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, _limitFormat, limitParameter, offsetParameter);

    /// <summary>
    /// An INSERT that does nothing when a row with the same key exists: how retried writes stay idempotent.
    /// </summary>
    /// <param name="table">Table name (a constant, never user input).</param>
    /// <param name="columns">Column names, in order.</param>
    /// <param name="key">The unique key column.</param>
    public string InsertIfAbsent(string table, IReadOnlyList<string> columns, string key)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var names = string.Join(", ", columns);
        var values = string.Join(", ", columns.Select(c => "@" + ParameterName(c)));
        return Provider switch
        {
            DatabaseProvider.Sqlite => $"INSERT OR IGNORE INTO {table} ({names}) VALUES ({values})",
            DatabaseProvider.PostgreSql => $"INSERT INTO {table} ({names}) VALUES ({values}) ON CONFLICT ({key}) DO NOTHING",
            _ => $"IF NOT EXISTS (SELECT 1 FROM {table} WITH (UPDLOCK, HOLDLOCK) WHERE {key} = @{ParameterName(key)}) INSERT INTO {table} ({names}) VALUES ({values})",
        };
    }

    /// <summary>The parameter name Dapper binds for a snake_case column: the PascalCase property of the row record.</summary>
    public static string ParameterName(string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return string.Concat(column.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
    }

    /// <summary>
    /// <c>column IN (list)</c> for a list parameter: Dapper expands the list on SQLite and SQL Server, while Npgsql
    /// takes the array whole, which PostgreSQL spells <c>= ANY(@list)</c>.
    /// </summary>
    public string InList(string column, string listParameter) =>
        Provider == DatabaseProvider.PostgreSql ? $"{column} = ANY({listParameter})" : $"{column} IN {listParameter}";

    /// <summary>Marks a point inside a transaction that one failed line can be rolled back to.</summary>
    public string Savepoint(string name) =>
        Provider == DatabaseProvider.SqlServer ? $"SAVE TRANSACTION {name}" : $"SAVEPOINT {name}";

    public string RollbackToSavepoint(string name) =>
        Provider == DatabaseProvider.SqlServer ? $"ROLLBACK TRANSACTION {name}" : $"ROLLBACK TO SAVEPOINT {name}";

    /// <summary>Forgets a savepoint once its line succeeded; SQL Server has no such statement (null).</summary>
    public string? ReleaseSavepoint(string name) =>
        Provider == DatabaseProvider.SqlServer ? null : $"RELEASE SAVEPOINT {name}";

    public static SqlDialect For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => Sqlite,
        DatabaseProvider.PostgreSql => PostgreSql,
        DatabaseProvider.SqlServer => SqlServer,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider."),
    };
}
