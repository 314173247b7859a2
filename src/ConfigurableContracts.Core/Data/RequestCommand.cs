using System.Data.Common;
using Dapper;

namespace ConfigurableContracts.Core.Data;

/// <summary>
/// The Dapper command of a statement a request runs: it carries the request's cancellation token, so a caller that
/// gives up (or the request time-out that stops it) stops the statement too, and a command time-out, so no single
/// statement outlives the request it serves. Without both, a report of a large contract went on reading for tens of
/// seconds after its request had been answered 504, and 32 of them starved the server.
/// </summary>
internal static class RequestCommand
{
    /// <summary>Seconds one statement may run: the server's default request time-out (<c>Limits:RequestTimeout</c>).</summary>
    public const int TimeoutSeconds = 30;

    public static CommandDefinition Of(string sql, object? parameters, CancellationToken cancellationToken, DbTransaction? transaction = null) =>
        new(sql, parameters, transaction, TimeoutSeconds, cancellationToken: cancellationToken);
}
