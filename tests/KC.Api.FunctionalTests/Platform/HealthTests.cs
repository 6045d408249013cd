using System.Net;
using KC.Api.FunctionalTests.Infrastructure;

namespace KC.Api.FunctionalTests.Platform;

public sealed class HealthTests : ServiceTestBase
{
    [Test]
    public async Task Live_WhenProcessRuns_ReturnsHealthy()
    {
        using var response = await Client.GetAsync(new Uri("/health/live", UriKind.Relative));

        var json = await Json.ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(json["status"]!.GetValue<string>(), Is.EqualTo("healthy"));
        });
    }

    [Test]
    public async Task Ready_WhenDatabaseIsMigratedAndWorkerHeartbeats_ReportsEachCheck()
    {
        using var response = await Client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        var json = await Json.ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(json["status"]!.GetValue<string>(), Is.EqualTo("healthy"));
            Assert.That(json["checks"]!["database"]!["description"]!.GetValue<string>(), Is.EqualTo("reachable; migrations applied"));
            Assert.That(json["checks"]!["worker"]!["description"]!.GetValue<string>(), Does.StartWith("last heartbeat "));
        });
    }

    [Test]
    public async Task Ready_WhenDatabaseIsGone_ReturnsUnavailable()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var service = new KcApiFactory(database);
        service.StartServer();
        using var client = service.CreateClient();
        await database.DisposeAsync();

        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        var json = await Json.ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(json["status"]!.GetValue<string>(), Is.EqualTo("unhealthy"));
            Assert.That(json["checks"]!["database"]!["description"]!.GetValue<string>(), Is.EqualTo("the database cannot be reached"));
            if (database.Kind == KC.Infrastructure.Persistence.DatabaseProvider.Sqlite)
            {
                // The running service opens the file it created at start; it never makes an empty one.
                var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
                Assert.That(File.Exists(file), Is.False, "the deleted database was created again");
            }
        });
    }
}
