using Microsoft.Data.Sqlite;

namespace KC.Infrastructure.Persistence.Sqlite;

/// <summary>
/// The SQLite file is created once, at start, and only opened after that: a file deleted under a
/// running service is then reported (the readiness check fails, writes fail) instead of being
/// replaced by an empty database that silently has no jobs.
/// </summary>
internal static class SqliteFile
{
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

    private static bool IsInMemory(SqliteConnectionStringBuilder builder) =>
        builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:";
}
