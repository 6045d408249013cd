using KC.Api.FunctionalTests.Infrastructure;
using KC.Infrastructure.Persistence;
using KC.TestSupport;

namespace KC.Api.FunctionalTests;

/// <summary>
/// Runs every functional test of this assembly against PostgreSQL: starts the shared throwaway
/// server before the first test, makes it the provider of each <see cref="TestDatabase"/>, and
/// stops it after the last.
/// In the root namespace, so it covers them all; without PostgreSQL on the machine they are
/// reported as skipped, with the reason, rather than failed.
/// </summary>
[SetUpFixture]
public sealed class PostgresSetUp
{
    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        if (PostgresServer.UnavailableReason is { } reason)
        {
            Assert.Ignore(reason);
        }

        await PostgresServer.SharedAsync();
        TestDatabase.Provider = DatabaseProvider.Postgres;
    }

    /// <summary>Here rather than at process exit, where the test runner allows only a moment.</summary>
    [OneTimeTearDown]
    public Task StopServerAsync() => PostgresServer.StopSharedAsync();
}
