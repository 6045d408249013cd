using KC.Infrastructure.Persistence;

namespace KC.Infrastructure.IntegrationTests.Persistence;

/// <summary>
/// A fresh, migrated database for every test, of the provider the fixture runs on; dropped after
/// it. On PostgreSQL the test is reported skipped where no server can be started.
/// </summary>
public abstract class DatabaseTestBase(DatabaseProvider provider)
{
    private protected TestDatabase Database { get; private set; } = null!;

    [SetUp]
    public async Task CreateDatabaseAsync() => Database = await TestDatabase.CreateAsync(provider);

    [TearDown]
    public async Task DropDatabaseAsync() => await Database.DisposeIfCreatedAsync();
}
