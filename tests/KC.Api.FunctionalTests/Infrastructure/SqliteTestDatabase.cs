using System.Data.Common;
using KC.Infrastructure.Persistence;
using Microsoft.Data.Sqlite;

namespace KC.Api.FunctionalTests.Infrastructure;

/// <summary>A SQLite file of the test's own under the system temp folder.</summary>
internal sealed class SqliteTestDatabase : TestDatabase
{
    private readonly string _path;

    private SqliteTestDatabase(string path)
        : base(DatabaseProvider.Sqlite, $"Data Source={path}")
    {
        _path = path;
    }

    public static SqliteTestDatabase Create()
    {
        var folder = Path.Combine(Path.GetTempPath(), "kc-functional-tests");
        Directory.CreateDirectory(folder);
        return new SqliteTestDatabase(Path.Combine(folder, $"{Guid.NewGuid():N}.db"));
    }

    public override DbConnection OpenConnection()
    {
        // The service writes at the same time; wait for its lock like it waits for ours.
        var connection = new SqliteConnection($"{ConnectionString};Pooling=False;Default Timeout=30");
        connection.Open();
        using var busy = connection.CreateCommand();
        busy.CommandText = "PRAGMA busy_timeout = 30000;";
        busy.ExecuteNonQuery();
        return connection;
    }

    protected override Task RemoveAsync()
    {
        // A pooled connection of an in-process service would keep the deleted file alive.
        using (var connection = new SqliteConnection(ConnectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm", _path + "-start.lock" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }
}
