using System.Data.Common;

namespace ConfigurableContracts.Core.Data;

/// <summary>
/// One SQL statement prepared once and executed for many lines inside one transaction. Bulk intake runs the same
/// INSERT tens of thousands of times; re-parsing it per line (as a fresh Dapper command does) costs several times
/// more than executing it, so lines reuse this command and only swap parameter values.
/// </summary>
internal sealed class PreparedCommand(DbConnection connection, DbTransaction transaction, SqlDialect dialect, string sql) : IAsyncDisposable
{
    private readonly DbCommand _command = CreateCommand(connection, transaction, sql);
    private DbParameter[]? _row;
    private bool _prepared;

    /// <summary>Sets a parameter (named as in the SQL, with its <c>@</c>) for the next execution.</summary>
    public PreparedCommand Set(string name, object? value)
    {
        if (!_command.Parameters.Contains(name))
        {
            var parameter = _command.CreateParameter();
            parameter.ParameterName = name;
            _command.Parameters.Add(parameter);
            _prepared = false;
        }

        DapperTypeHandlers.Bind(_command.Parameters[name], value);
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
        if (_row is null)
        {
            _row = new DbParameter[names.Count];
            for (var i = 0; i < names.Count; i++)
            {
                Set(names[i], null);
                _row[i] = _command.Parameters[names[i]];
            }
        }

        if (values.Length != _row.Length)
        {
            throw new ArgumentException($"{values.Length} values for {_row.Length} parameters.", nameof(values));
        }

        for (var i = 0; i < values.Length; i++)
        {
            DapperTypeHandlers.Bind(_row[i], values[i]);
        }

        return this;
    }

    public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        await PrepareOnceAsync(cancellationToken).ConfigureAwait(false);
        return await _command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<object?> ScalarAsync(CancellationToken cancellationToken)
    {
        await PrepareOnceAsync(cancellationToken).ConfigureAwait(false);
        return await _command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();

    private async Task PrepareOnceAsync(CancellationToken cancellationToken)
    {
        // SqlClient insists on explicit sizes for every string parameter before Prepare; SQL Server caches plans
        // for parameterised statements anyway, so there the command simply runs unprepared.
        if (!_prepared && dialect.Provider != DatabaseProvider.SqlServer)
        {
            await _command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        }

        _prepared = true;
    }

    private static DbCommand CreateCommand(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}
