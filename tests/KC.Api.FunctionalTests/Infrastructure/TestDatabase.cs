using System.Data.Common;
using KC.Infrastructure.Persistence;

namespace KC.Api.FunctionalTests.Infrastructure;

/// <summary>
/// A fresh, empty database of the provider this test assembly runs against. Tests hand its
/// <see cref="Settings"/> to the service and read it back with plain SQL through
/// <see cref="OpenConnection"/>, so one test body runs against SQLite and PostgreSQL alike.
/// Disposing removes the database.
/// </summary>
public abstract class TestDatabase : IAsyncDisposable
{
    protected TestDatabase(DatabaseProvider kind, string connectionString)
    {
        Kind = kind;
        ConnectionString = connectionString;
    }

    /// <summary>
    /// The provider new databases are made for: SQLite, unless the PostgreSQL flavour of this
    /// assembly sets it before any test runs.
    /// </summary>
    public static DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>The provider this database is of.</summary>
    public DatabaseProvider Kind { get; }

    /// <summary>The service's connection string for it (<c>ConnectionStrings:KC</c>).</summary>
    public string ConnectionString { get; }

    /// <summary>The settings that point the service at this database: <c>Database:Provider</c> and <c>ConnectionStrings:KC</c>.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = Kind.ToString(),
        ["ConnectionStrings:KC"] = ConnectionString,
    };

    public static async Task<TestDatabase> CreateAsync() => Provider switch
    {
        DatabaseProvider.Sqlite => SqliteTestDatabase.Create(),
        DatabaseProvider.Postgres => await PostgresTestDatabase.CreateOnSharedServerAsync(),
        _ => throw new NotSupportedException($"No test database for provider {Provider}."),
    };

    /// <summary><paramref name="settings"/> with this database's <see cref="Settings"/> over them, for a service started by hand.</summary>
    public IReadOnlyDictionary<string, string?> With(IReadOnlyDictionary<string, string?> settings)
    {
        var all = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in Settings)
        {
            all[key] = value;
        }

        return all;
    }

    /// <summary>An open connection of the test's own, beside the service's; the caller disposes it.</summary>
    public abstract DbConnection OpenConnection();

    /// <summary>
    /// Removes the database. Safe to repeat: a test that takes the database away from a running
    /// service removes it again at the end, which also clears whatever the service re-created meanwhile.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await RemoveAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Removes the database if it is there; nothing otherwise.</summary>
    protected abstract Task RemoveAsync();
}
