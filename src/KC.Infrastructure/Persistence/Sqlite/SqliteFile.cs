using Microsoft.Data.Sqlite;

namespace KC.Infrastructure.Persistence.Sqlite;

/// <summary>
/// The SQLite file is created once, at start, and only opened after that: a file deleted under a
/// running service is then reported (the readiness check fails, writes fail) instead of being
/// replaced by an empty database that silently has no jobs.
/// </summary>
internal static class SqliteFile
{
    /// <summary>EWOULDBLOCK, what a file another process holds exclusively fails with on Unix.</summary>
    private const int LockedOnUnix = 11;

    /// <summary>ERROR_SHARING_VIOLATION, the same on Windows.</summary>
    private const int LockedOnWindows = unchecked((int)0x80070020);

    private static readonly TimeSpan LockRetry = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The connection string every connection of the running service uses: the configured one, but
    /// opening an existing file only. A mode chosen in the setting (read-only, memory) is kept.
    /// </summary>
    public static string OpenWithoutCreating(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode == SqliteOpenMode.ReadWriteCreate && !IsInMemory(builder))
        {
            builder.Mode = SqliteOpenMode.ReadWrite;
        }

        return builder.ToString();
    }

    /// <summary>Creates the file and its folder when they do not exist yet; the migrations then fill it.</summary>
    public static void Create(string? connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (IsInMemory(builder) || builder.Mode != SqliteOpenMode.ReadWrite)
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = false;
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
    }

    /// <summary>
    /// Waits until this process alone holds the file <c>&lt;database&gt;-start.lock</c> beside the
    /// database, and holds it until disposed: the processes on one machine that share a SQLite file
    /// take turns with it. An in-memory database is one process's own: nothing is locked (null).
    /// </summary>
    public static async Task<IDisposable?> LockAsync(string? connectionString, CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (IsInMemory(builder))
        {
            return null;
        }

        var path = Path.GetFullPath(builder.DataSource) + "-start.lock";
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive lock on the open file that every other process sees (flock on Unix).
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException ex) when (ex.HResult is LockedOnUnix or LockedOnWindows)
            {
                await Task.Delay(LockRetry, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsInMemory(SqliteConnectionStringBuilder builder) =>
        builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:";
}
