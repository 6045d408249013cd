using System.Data.Common;
using KC.Infrastructure.Persistence;
using KC.TestSupport;
using Npgsql;

namespace KC.Api.FunctionalTests.Infrastructure;

/// <summary>A database of the test's own on the PostgreSQL server the test process shares.</summary>
internal sealed class PostgresTestDatabase : TestDatabase
{
    private readonly PostgresServer _server;

    private PostgresTestDatabase(PostgresServer server, string connectionString)
        : base(DatabaseProvider.Postgres, connectionString)
    {
        _server = server;
    }

    public static async Task<PostgresTestDatabase> CreateOnSharedServerAsync()
    {
        var server = await PostgresServer.SharedAsync();
        return new PostgresTestDatabase(server, await server.CreateDatabaseAsync("functional"));
    }

    public override DbConnection OpenConnection()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    protected override Task RemoveAsync() => _server.DropDatabaseAsync(ConnectionString);
}
