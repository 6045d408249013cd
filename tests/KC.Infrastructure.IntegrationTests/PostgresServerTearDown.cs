using KC.TestSupport;

namespace KC.Infrastructure.IntegrationTests;

/// <summary>
/// Stops the throwaway PostgreSQL server that the fixtures running on PostgreSQL share, after the
/// last test: at process exit the test runner allows only a moment, too short to remove its folder.
/// </summary>
[SetUpFixture]
public sealed class PostgresServerTearDown
{
    [OneTimeTearDown]
    public Task StopServerAsync() => PostgresServer.StopSharedAsync();
}
