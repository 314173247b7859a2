using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ConfigurableContracts.Core.Data.Bulk;

/// <summary>
/// One SQL statement prepared once and executed for many lines inside one transaction. Bulk intake runs the same
/// INSERT tens of thousands of times, and the nightly run half a million; re-parsing it per line (as a fresh Dapper
/// command does) costs several times more than executing it, so lines reuse this command and only swap parameter
/// values. On SQLite the statement is driven directly (<see cref="SqliteStatement"/>): Microsoft.Data.Sqlite looks
/// every parameter up by name and re-encodes it on each execution, which cost a third of a nightly run's writes.
/// </summary>
internal sealed class PreparedCommand : IAsyncDisposable
{
    private readonly DbCommand? _command;
    private readonly SqliteStatement? _sqlite;
    private readonly SqlDialect _dialect;
    private DbParameter[]? _row;
    private int[]? _rowIndexes;
    private bool _prepared;

    public PreparedCommand(DbConnection connection, DbTransaction transaction, SqlDialect dialect, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(dialect);
        _dialect = dialect;
        if (connection is SqliteConnection sqlite)
        {
            _sqlite = new SqliteStatement(sqlite, sql);
        }
        else
        {
            _command = connection.CreateCommand();
            _command.Transaction = transaction;
            _command.CommandText = sql;
        }
    }

    /// <summary>Sets a parameter (named as in the SQL, with its <c>@</c>) for the next execution.</summary>
    public PreparedCommand Set(string name, object? value)
    {
        if (_sqlite is not null)
        {
            _sqlite.Bind(_sqlite.IndexOf(name), value);
            return this;
        }

        DapperTypeHandlers.Bind(Parameter(name), value);
        return this;
    }

    /// <summary>
    /// Sets every parameter by position, in the order of <paramref name="names"/>. The names are looked up on the
    /// first row only: a bulk write of hundreds of thousands of rows would otherwise spend more time finding
    /// parameters by name than SQLite spends inserting the row.
    /// </summary>
    public PreparedCommand SetRow(IReadOnlyList<string> names, params ReadOnlySpan<object?> values)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (values.Length != names.Count)
        {
            throw new ArgumentException($"{values.Length} values for {names.Count} parameters.", nameof(values));
        }

        if (_sqlite is not null)
        {
            _rowIndexes ??= [.. names.Select(_sqlite.IndexOf)];
            for (var i = 0; i < values.Length; i++)
            {
                _sqlite.Bind(_rowIndexes[i], values[i]);
            }

            return this;
        }

        _row ??= [.. names.Select(Parameter)];
        for (var i = 0; i < values.Length; i++)
        {
            DapperTypeHandlers.Bind(_row[i], values[i]);
        }

        return this;
    }

    public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        if (_sqlite is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return _sqlite.Execute();
        }

        await PrepareOnceAsync(cancellationToken).ConfigureAwait(false);
        return await _command!.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<object?> ScalarAsync(CancellationToken cancellationToken)
    {
        if (_sqlite is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return _sqlite.Scalar();
        }

        await PrepareOnceAsync(cancellationToken).ConfigureAwait(false);
        return await _command!.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _sqlite?.Dispose();
        return _command?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    private DbParameter Parameter(string name)
    {
        if (!_command!.Parameters.Contains(name))
        {
            var parameter = _command.CreateParameter();
            parameter.ParameterName = name;
            _command.Parameters.Add(parameter);
            _prepared = false;
        }

        return _command.Parameters[name];
    }

    private async Task PrepareOnceAsync(CancellationToken cancellationToken)
    {
        // SqlClient insists on explicit sizes for every string parameter before Prepare; SQL Server caches plans
        // for parameterised statements anyway, so there the command simply runs unprepared.
        if (!_prepared && _dialect.Provider != DatabaseProvider.SqlServer)
        {
            await _command!.PrepareAsync(cancellationToken).ConfigureAwait(false);
        }

        _prepared = true;
    }
}
