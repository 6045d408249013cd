using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace KC.Infrastructure.Persistence.Sqlite;

/// <summary>
/// Per-connection SQLite settings: wait for a busy writer instead of failing, and sync every
/// commit (FULL), so a job answered 201 survives a power loss, not only a process crash.
/// </summary>
internal sealed class SqlitePragmas(int busyTimeoutMilliseconds) : DbConnectionInterceptor
{
    private readonly string _sql = string.Create(
        CultureInfo.InvariantCulture,
        $"PRAGMA busy_timeout = {busyTimeoutMilliseconds}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand(_sql);
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand(_sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
