using System.Data.Common;
using System.Globalization;
using KC.Api.FunctionalTests.Infrastructure;

namespace KC.Api.FunctionalTests.Idempotency;

/// <summary>Reads and changes the service's stored idempotency keys directly, as time would.</summary>
internal static class IdempotencyKeyRows
{
    /// <summary>Moves the key's expiry into the past, as if its lifetime had run out.</summary>
    public static void Expire(TestDatabase database, string key)
    {
        using var connection = database.OpenConnection();
        using var command = Command(connection, "UPDATE idempotency_keys SET expires_at = 0 WHERE idempotency_key = @value", key);
        Assert.That(command.ExecuteNonQuery(), Is.EqualTo(1), $"no stored key '{key}'");
    }

    /// <summary>The job the key names, or null when there is no row for it.</summary>
    public static long? JobOf(TestDatabase database, string key)
    {
        using var connection = database.OpenConnection();
        using var command = Command(connection, "SELECT job_id FROM idempotency_keys WHERE idempotency_key = @value", key);
        return command.ExecuteScalar() is { } jobId and not DBNull ? Convert.ToInt64(jobId, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The scopes the key is stored in, sorted.</summary>
    public static IReadOnlyList<string> ScopesOf(TestDatabase database, string key) =>
        TextOf(database, "SELECT scope FROM idempotency_keys WHERE idempotency_key = @value ORDER BY scope", key);

    /// <summary>Every text the key's rows hold (scope, key, request hash), to look for what must not be stored.</summary>
    public static IReadOnlyList<string> StoredTextOf(TestDatabase database, string key) =>
        TextOf(database, "SELECT scope || ' ' || idempotency_key || ' ' || request_hash FROM idempotency_keys WHERE idempotency_key = @value", key);

    /// <summary>Jobs holding an image with this URL: a duplicate submit shows as two.</summary>
    public static long JobsWithImage(TestDatabase database, Uri url)
    {
        using var connection = database.OpenConnection();
        using var command = Command(connection, "SELECT COUNT(DISTINCT job_id) FROM images WHERE url = @value", url.ToString());
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static List<string> TextOf(TestDatabase database, string sql, string value)
    {
        using var connection = database.OpenConnection();
        using var command = Command(connection, sql, value);
        using var reader = command.ExecuteReader();
        var texts = new List<string>();
        while (reader.Read())
        {
            texts.Add(reader.GetString(0));
        }

        return texts;
    }

    /// <summary>A command with its one parameter, <c>@value</c>; built through <see cref="DbCommand"/> so either provider runs it.</summary>
    private static DbCommand Command(DbConnection connection, string sql, string value)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@value";
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return command;
    }
}
