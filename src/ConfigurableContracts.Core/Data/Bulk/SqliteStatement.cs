using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ConfigurableContracts.Core.Data.Bulk;

/// <summary>
/// One SQLite statement prepared on an open connection and run many times with values bound by index. It runs
/// inside whatever transaction the connection has open, as Microsoft.Data.Sqlite's own commands do, and binds
/// values in exactly the storage form <see cref="DapperTypeHandlers"/> gives them, so rows read back the same
/// whichever path wrote them.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    /// <summary>Stands for a parameter not bound yet (null is a value that can be bound).</summary>
    private static readonly object Unbound = new();

    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;
    private readonly object?[] _bound;
    private byte[] _buffer = new byte[1024];

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _database = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var result = raw.sqlite3_prepare_v2(_database, sql, out _statement);
        if (result != raw.SQLITE_OK)
        {
            _statement?.Dispose();
            throw Error(result);
        }

        if (_statement.IsInvalid)
        {
            throw new ArgumentException("The SQL holds no statement.", nameof(sql));
        }

        _bound = new object?[raw.sqlite3_bind_parameter_count(_statement)];
        Array.Fill(_bound, Unbound);
    }

    /// <summary>The 1-based index of a named parameter (<c>@Name</c>), or an error naming it.</summary>
    public int IndexOf(string name)
    {
        var index = raw.sqlite3_bind_parameter_index(_statement, name);
        return index > 0 ? index : throw new ArgumentException($"The statement has no parameter '{name}'.", nameof(name));
    }

    /// <summary>
    /// Binds a value, unless the parameter already holds the same one: SQLite keeps bindings from one execution to
    /// the next, and most of a nightly run's decision columns (contract, run, bundle, participant, snapshot hashes)
    /// repeat from row to row. Only values whose stored form equality decides are recognised as the same: a string
    /// by reference; integers, dates and instants (stored as UTC) by equality. A decimal (1.0 equals 1.00 but is
    /// stored as other text), a double or a byte array is bound every time.
    /// </summary>
    public void Bind(int index, object? value)
    {
        value ??= DBNull.Value;
        var previous = _bound[index - 1];
        if (ReferenceEquals(previous, value) && value is string or DBNull || value is long or int or bool or DateOnly or DateTimeOffset && value.Equals(previous))
        {
            return;
        }

        var result = value switch
        {
            DBNull => raw.sqlite3_bind_null(_statement, index),
            string text => BindText(index, text),
            Utf8Text utf8 => raw.sqlite3_bind_text(_statement, index, utf8.Bytes),
            long number => raw.sqlite3_bind_int64(_statement, index, number),
            int number => raw.sqlite3_bind_int64(_statement, index, number),
            bool flag => raw.sqlite3_bind_int64(_statement, index, flag ? 1 : 0),
            double number => raw.sqlite3_bind_double(_statement, index, number),
            byte[] bytes => raw.sqlite3_bind_blob(_statement, index, bytes),
            DateTimeOffset instant => BindText(index, DapperTypeHandlers.SqliteText(instant)),
            DateOnly date => BindText(index, DapperTypeHandlers.SqliteText(date)),
            decimal amount => BindText(index, DapperTypeHandlers.SqliteText(amount)),
            _ => throw new NotSupportedException($"Cannot bind a {value.GetType().Name} to a SQLite statement."),
        };
        if (result != raw.SQLITE_OK)
        {
            _bound[index - 1] = Unbound;
            throw Error(result);
        }

        _bound[index - 1] = value;
    }

    /// <summary>Runs the statement to its end; returns the rows it changed.</summary>
    public int Execute()
    {
        try
        {
            int result;
            while ((result = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
            }

            return result == raw.SQLITE_DONE ? raw.sqlite3_changes(_database) : throw Error(result);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>The first column of the first row, as Microsoft.Data.Sqlite would give it; null without a row.</summary>
    public object? Scalar()
    {
        try
        {
            var result = raw.sqlite3_step(_statement);
            if (result == raw.SQLITE_DONE)
            {
                return null;
            }

            if (result != raw.SQLITE_ROW)
            {
                throw Error(result);
            }

            return raw.sqlite3_column_type(_statement, 0) switch
            {
                raw.SQLITE_INTEGER => raw.sqlite3_column_int64(_statement, 0),
                raw.SQLITE_FLOAT => raw.sqlite3_column_double(_statement, 0),
                raw.SQLITE_TEXT => raw.sqlite3_column_text(_statement, 0).utf8_to_string(),
                raw.SQLITE_BLOB => raw.sqlite3_column_blob(_statement, 0).ToArray(),
                _ => DBNull.Value,
            };
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    public void Dispose() => _statement.Dispose();

    private int BindText(int index, string text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_buffer.Length < length)
        {
            _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        }

        // SQLite copies the bytes (SQLITE_TRANSIENT), so the buffer is free again for the next value.
        var written = Encoding.UTF8.GetBytes(text, _buffer);
        return raw.sqlite3_bind_text(_statement, index, _buffer.AsSpan(0, written));
    }

    private SqliteException Error(int result) =>
        new(raw.sqlite3_errmsg(_database).utf8_to_string(), result, raw.sqlite3_extended_errcode(_database));
}
