using KC.TestSupport;
using Npgsql;

namespace KC.Api.FunctionalTests.Postgres;

/// <summary>The throwaway server itself, apart from the service: databases come and go, and so does the server's folder.</summary>
public sealed class PostgresServerTests
{
    [Test]
    public async Task CreateDatabase_WhenUsedAndDropped_AnswersQueriesAndThenIsGone()
    {
        var server = await PostgresServer.SharedAsync();

        var connectionString = await server.CreateDatabaseAsync("server_check");
        int answer;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            answer = (int)(await command.ExecuteScalarAsync())!;
        }

        await server.DropDatabaseAsync(connectionString);

        Assert.Multiple(async () =>
        {
            Assert.That(answer, Is.EqualTo(1));
            Assert.That(await DatabaseExistsAsync(server, connectionString), Is.False);
        });
    }

    [Test]
    public async Task Dispose_WhenTheServerRan_StopsItAndRemovesItsFolder()
    {
        var server = await PostgresServer.StartAsync();
        var folder = server.Folder;
        var wasThere = Directory.Exists(folder);

        await server.DisposeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(wasThere, Is.True);
            Assert.That(Directory.Exists(folder), Is.False);
        });
    }

    private static async Task<bool> DatabaseExistsAsync(PostgresServer server, string connectionString)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM pg_database WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", new NpgsqlConnectionStringBuilder(connectionString).Database!);
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }
}
