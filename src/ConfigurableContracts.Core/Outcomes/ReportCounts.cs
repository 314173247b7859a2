using ConfigurableContracts.Core.Data;

namespace ConfigurableContracts.Core.Outcomes;

/// <summary>
/// The one statement that maintains a report count: adds <c>@Change</c> (negative to subtract) to the count column of
/// the row with the given key, creating the row when there is none. Parameters are named as Dapper binds the row
/// record's properties (<see cref="SqlDialect.ParameterName"/>).
/// </summary>
internal static class ReportCounts
{
    /// <param name="table">A report count table (a constant, never input).</param>
    /// <param name="keys">Its key columns.</param>
    /// <param name="count">Its count column.</param>
    public static string AddSql(SqlDialect dialect, string table, IReadOnlyList<string> keys, string count)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(keys);
        var columns = string.Join(", ", keys.Append(count));
        var values = string.Join(", ", keys.Select(k => "@" + SqlDialect.ParameterName(k)).Append("@Change"));
        return dialect.Provider switch
        {
            // No upsert statement that is safe under concurrency without hints; the key lock is held to commit.
            DatabaseProvider.SqlServer => $"""
                UPDATE {table} WITH (UPDLOCK, HOLDLOCK) SET {count} = {count} + @Change
                WHERE {string.Join(" AND ", keys.Select(k => $"{k} = @{SqlDialect.ParameterName(k)}"))};
                IF @@ROWCOUNT = 0 INSERT INTO {table} ({columns}) VALUES ({values});
                """,
            _ => $"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT ({string.Join(", ", keys)}) DO UPDATE SET {count} = {table}.{count} + excluded.{count}",
        };
    }
}
