using Microsoft.Data.Sqlite;

namespace KC.Api.FunctionalTests.Idempotency;

/// <summary>Reads and changes the service's stored idempotency keys directly, as time would.</summary>
internal static class IdempotencyKeyRows
{
    /// <summary>Moves the key's expiry into the past, as if its lifetime had run out.</summary>
    public static void Expire(string databasePath, string key) =>
        Execute(databasePath, "UPDATE idempotency_keys SET expires_at = 0 WHERE idempotency_key = @key", key);

    /// <summary>The job the key names, or null when there is no row for it.</summary>
    public static long? JobOf(string databasePath, string key)
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT job_id FROM idempotency_keys WHERE idempotency_key = @key";
        command.Parameters.AddWithValue("@key", key);
        return command.ExecuteScalar() is long jobId ? jobId : null;
    }

    /// <summary>Jobs holding an image with this URL: a duplicate submit shows as two.</summary>
    public static long JobsWithImage(string databasePath, Uri url)
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(DISTINCT job_id) FROM images WHERE url = @url";
        command.Parameters.AddWithValue("@url", url.ToString());
        return (long)command.ExecuteScalar()!;
    }

    private static void Execute(string databasePath, string sql, string key)
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@key", key);
        Assert.That(command.ExecuteNonQuery(), Is.EqualTo(1), $"no stored key '{key}'");
    }

    private static SqliteConnection Open(string databasePath)
    {
        // The service writes at the same time; wait for its lock like it waits for ours.
        var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False;Default Timeout=30");
        connection.Open();
        using var busy = connection.CreateCommand();
        busy.CommandText = "PRAGMA busy_timeout = 30000;";
        busy.ExecuteNonQuery();
        return connection;
    }
}
