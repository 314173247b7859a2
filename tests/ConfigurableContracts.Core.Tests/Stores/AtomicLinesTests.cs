using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Data.Bulk;
using ConfigurableContracts.Core.Tests.Data;
using Dapper;

namespace ConfigurableContracts.Core.Tests.Stores;

/// <summary>The bulk writer's promise: a line that throws is dropped alone; every other line of its chunk commits.</summary>
public abstract class AtomicLinesTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    [StoreFact]
    public async Task Write_KeepsOtherLines_WhenOneLineThrowsMidChunk()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        (int Number, string Id)[] lines = [(1, "org-1"), (2, "org-2"), (3, "org-1"), (4, "org-3")];

        // Two statements per line: a throwing line must leave neither behind.
        var results = await AtomicLines.WriteAsync(
            connections,
            lines,
            async (writer, line) =>
            {
                const string Insert = "INSERT INTO organisations (id, name, created_at) VALUES (@id, 'x', @at)";
                await writer.Command(Insert).Set("@id", $"line-{line.Number}").Set("@at", StoreWorld.Start).ExecuteAsync(writer.CancellationToken);
                await writer.Command(Insert).Set("@id", line.Id).Set("@at", StoreWorld.Start).ExecuteAsync(writer.CancellationToken);
                return "written";
            },
            (_, exception) => DbErrors.IsUniqueViolation(exception) ? "duplicate" : null,
            CancellationToken.None);
        await using var reader = await connections.OpenAsync();
        var stored = (await reader.QueryAsync<string>("SELECT id FROM organisations ORDER BY id")).ToList();

        Assert.Equal(["written", "written", "duplicate", "written"], results);
        Assert.Equal(["line-1", "line-2", "line-4", "org-1", "org-2", "org-3"], stored);
    }
}

public sealed class SqliteAtomicLinesTests : AtomicLinesTests<Sqlite>;

public sealed class PostgreSqlAtomicLinesTests : AtomicLinesTests<PostgreSql>;

public sealed class SqlServerAtomicLinesTests : AtomicLinesTests<SqlServer>;
