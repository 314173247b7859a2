using System.Data;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace ConfigurableContracts.Core.Data;

/// <summary>
/// Maps instants (<see cref="DateTimeOffset"/>), calendar dates (<see cref="DateOnly"/>) and money (<see cref="decimal"/>) to each database's
/// native column type, so the same model reads and writes on SQLite (ISO text), PostgreSQL (timestamptz, date)
/// and SQL Server (datetimeoffset, date) without per-provider code in the stores.
/// </summary>
public static class DapperTypeHandlers
{
    private static int _registered;

    /// <summary>Registers the handlers once per process; later calls do nothing.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        // Dapper consults its built-in type map before custom handlers, so the two types leave the map first.
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateOnly));
        SqlMapper.RemoveTypeMap(typeof(decimal));
        SqlMapper.AddTypeHandler(new MoneyHandler());
        SqlMapper.AddTypeHandler(new InstantHandler());
        SqlMapper.AddTypeHandler(new DateHandler());
    }

    private static readonly InstantHandler Instants = new();
    private static readonly DateHandler Dates = new();
    private static readonly MoneyHandler Money = new();

    /// <summary>
    /// Binds a value to a hand-made parameter exactly as Dapper would, for commands prepared once and run many
    /// times (bulk intake), which bypass Dapper.
    /// </summary>
    internal static void Bind(IDbDataParameter parameter, object? value)
    {
        switch (value)
        {
            case DateTimeOffset instant:
                Instants.SetValue(parameter, instant);
                break;
            case DateOnly date:
                Dates.SetValue(parameter, date);
                break;
            case string text:
                parameter.DbType = DbType.String;
                parameter.Value = text;
                break;
            case Utf8Text utf8:
                parameter.DbType = DbType.String;
                parameter.Value = utf8.ToString();
                break;
            case int number:
                parameter.DbType = DbType.Int32;
                parameter.Value = number;
                break;
            case long number:
                parameter.DbType = DbType.Int64;
                parameter.Value = number;
                break;
            case decimal amount:
                Money.SetValue(parameter, amount);
                break;
            default:
                parameter.Value = value ?? DBNull.Value;
                break;
        }
    }

    /// <summary>An instant as SQLite stores it: fixed-width UTC text, so string order equals time order in queries.</summary>
    internal static string SqliteText(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A date as SQLite stores it.</summary>
    internal static string SqliteText(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Money as SQLite stores it: exact invariant text, since SQLite has no decimal type.</summary>
    internal static string SqliteText(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);

    private sealed class InstantHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            var utc = value.ToUniversalTime();
            switch (parameter)
            {
                case SqliteParameter:
                    parameter.DbType = DbType.String;
                    parameter.Value = SqliteText(utc);
                    break;
                case NpgsqlParameter npgsql:
                    npgsql.NpgsqlDbType = NpgsqlDbType.TimestampTz;
                    npgsql.Value = utc.UtcDateTime;
                    break;
                default:
                    parameter.DbType = DbType.DateTimeOffset;
                    parameter.Value = utc;
                    break;
            }
        }

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTimeOffset instant => instant.ToUniversalTime(),
            DateTime dateTime => new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc)),
            string text => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
            _ => throw new DataException($"Cannot read an instant from a {value.GetType().Name}."),
        };
    }

    /// <summary>
    /// Money stays exact: SQLite has no decimal type, so amounts are stored as invariant text there (summed in C#,
    /// never in SQL); PostgreSQL and SQL Server use numeric/decimal columns.
    /// </summary>
    private sealed class MoneyHandler : SqlMapper.TypeHandler<decimal>
    {
        public override void SetValue(IDbDataParameter parameter, decimal value)
        {
            if (parameter is SqliteParameter)
            {
                parameter.DbType = DbType.String;
                parameter.Value = SqliteText(value);
                return;
            }

            parameter.DbType = DbType.Decimal;
            parameter.Value = value;
        }

        public override decimal Parse(object value) => value switch
        {
            decimal exact => exact,
            string text => decimal.Parse(text, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture),
            long whole => whole,
            double approximate => (decimal)approximate,
            _ => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
        };
    }

    private sealed class DateHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override void SetValue(IDbDataParameter parameter, DateOnly value)
        {
            switch (parameter)
            {
                case SqliteParameter:
                    parameter.DbType = DbType.String;
                    parameter.Value = SqliteText(value);
                    break;
                case NpgsqlParameter npgsql:
                    npgsql.NpgsqlDbType = NpgsqlDbType.Date;
                    npgsql.Value = value;
                    break;
                default:
                    // A DateTime with DbType.Date is what every SqlClient version accepts for a date column.
                    parameter.DbType = DbType.Date;
                    parameter.Value = value.ToDateTime(TimeOnly.MinValue);
                    break;
            }
        }

        public override DateOnly Parse(object value) => value switch
        {
            DateOnly date => date,
            DateTime dateTime => DateOnly.FromDateTime(dateTime),
            string text => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => throw new DataException($"Cannot read a date from a {value.GetType().Name}."),
        };
    }
}
