using System.Net;
using System.Net.Sockets;
using KC.Api.FunctionalTests.Infrastructure;
using KC.Infrastructure.Persistence;
using KC.TestSupport;
using NUnit.Framework.Constraints;

namespace KC.Api.FunctionalTests.Platform;

/// <summary>
/// The real process as an operator starts it: a service that cannot start exits with status 1 and
/// one line that says why, never a stack trace or an abort; the settings beside the binary apply
/// wherever it is started from; and nodes started together on one fresh database all start.
/// </summary>
[NonParallelizable]
public sealed class StartupTests
{
    private const string Prefix = "KC could not start: ";

    [Test]
    public async Task Service_WhenTheDatabaseCannotBeUsed_ExitsWithOneLineNamingIt()
    {
        var (connectionString, settings) = UnusableDatabase();

        var exit = await ServiceProcess.RunUntilExitAsync(connectionString, settings);

        AssertOneLineFailure(exit, Does.StartWith(Prefix + "the database cannot be used (Database:Provider, ConnectionStrings:KC): "));
    }

    [Test]
    public async Task Service_WhenThePortIsInUse_ExitsWithOneLineNamingTheAddress()
    {
        await using var database = await TestDatabase.CreateAsync();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        var settings = database.With(new Dictionary<string, string?> { ["Urls"] = url });

        var exit = await ServiceProcess.RunUntilExitAsync(database.ConnectionString, settings);

        AssertOneLineFailure(exit, Is.EqualTo($"{Prefix}Failed to bind to address {url}: address already in use. (Urls)"));
    }

    [TestCase("Processing:MaxConcurrency", "0", "Processing:MaxConcurrency must be positive")]
    [TestCase("Processing:MaxConnectionsPerHost", "0", "Processing:MaxConnectionsPerHost must be at least 1")]
    [TestCase("Node:Role", "workers", "Node:Role must be all, api or worker; 'workers' is none of them.")]
    [TestCase("ForwardedHeaders:KnownProxies:0", "not-an-address", "ForwardedHeaders:KnownProxies:0 must be an IP address; 'not-an-address' is not.")]
    [TestCase("Retention:Days", "-1", "Retention:Days must not be negative (0 turns retention off)")]
    [TestCase("Retention:BatchSize", "0", "Retention:BatchSize must be positive")]
    [TestCase("Retention:IntervalMinutes", "0", "Retention:IntervalMinutes must be positive")]
    public async Task Service_WhenASettingIsInvalid_ExitsWithOneLineNamingIt(string key, string value, string message)
    {
        await using var database = await TestDatabase.CreateAsync();
        var settings = database.With(new Dictionary<string, string?> { [key] = value });

        var exit = await ServiceProcess.RunUntilExitAsync(database.ConnectionString, settings);

        AssertOneLineFailure(exit, Is.EqualTo(Prefix + message));
    }

    [Test]
    public async Task Service_WhenStartedFromAnotherFolder_ReadsTheSettingsBesideTheBinary()
    {
        // appsettings.json keeps EF Core and ASP.NET Core at Warning; the framework's defaults would
        // log every SQL statement and request at Information.
        await using var database = await TestDatabase.CreateAsync();
        var elsewhere = Directory.CreateTempSubdirectory("kc-elsewhere-");
        try
        {
            await using var service = await ServiceProcess.StartAsync(
                database.ConnectionString, database.Settings, workingDirectory: elsewhere.FullName, ownLogging: true);
            using var client = service.CreateClient();

            using var response = await client.GetAsync(new Uri("/api/status?jobid=1", UriKind.Relative));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(service.Output, Has.None.Contains("Executed DbCommand").And.None.Contains("Request starting"));
        }
        finally
        {
            elsewhere.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Service_WhenStartedOnAFreshDatabase_LogsNoWarning()
    {
        // An operator's log at start should hold what happened, not noise to learn to ignore.
        await using var database = await TestDatabase.CreateAsync();
        await using var service = await ServiceProcess.StartAsync(database.ConnectionString, database.Settings, ownLogging: true);
        using var client = service.CreateClient();

        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(service.Output, Has.None.Contains("warn:").And.None.Contains("fail:").And.None.Contains("crit:"), string.Join('\n', service.Output));
    }

    [Test]
    public async Task Nodes_WhenStartedTogetherOnAFreshDatabase_AllStartAndShareOneKey()
    {
        // As a first `docker compose up` starts them. Before the nodes took turns at start, some
        // failed applying a migration another node had just applied, and those that made a
        // data-protection key each made their own, so each refused the others' dashboard sessions.
        await using var database = await TestDatabase.CreateAsync();
        var starts = Enumerable.Range(0, 3).Select(_ => ServiceProcess.StartAsync(database.ConnectionString, database.Settings)).ToList();
        // Every start to its end, failed or not: each node's outcome is reported below.
        await Task.WhenAll(starts.Select(start => start.ContinueWith(_ => { }, TaskScheduler.Default)));
        try
        {
            Assert.Multiple(() =>
            {
                foreach (var start in starts)
                {
                    Assert.That(start.Exception?.InnerException?.Message, Is.Null, "a node failed to start");
                }

                Assert.That(Database.Scalar(database, "SELECT COUNT(*) FROM data_protection_keys"), Is.EqualTo(1), "keys made by three nodes");
            });
        }
        finally
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await start.Result.DisposeAsync();
            }
        }
    }

    private static void AssertOneLineFailure(ServiceExit exit, IResolveConstraint line)
    {
        var output = string.Join('\n', exit.Output);
        Assert.That(exit.ExitCode, Is.EqualTo(1), output);
        Assert.That(exit.Output.Where(l => l.StartsWith(Prefix, StringComparison.Ordinal)).ToList(), Has.Count.EqualTo(1).And.One.Matches(line), output);
        Assert.That(exit.Output, Has.None.Match(@"^\s+at ").And.None.Contains("Unhandled exception"), output);
    }

    /// <summary>SQLite: a file opened read-only, so the migrations cannot write. PostgreSQL: a port nothing listens on.</summary>
    private static (string ConnectionString, IReadOnlyDictionary<string, string?> Settings) UnusableDatabase()
    {
        var settings = new Dictionary<string, string?> { ["Database:Provider"] = TestDatabase.Provider.ToString() };
        if (TestDatabase.Provider == DatabaseProvider.Sqlite)
        {
            var path = Path.Combine(Path.GetTempPath(), "kc-functional-tests", $"{Guid.NewGuid():N}-read-only.db");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, []);
            return ($"Data Source={path};Mode=ReadOnly", settings);
        }

        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return ($"Host=127.0.0.1;Port={port};Database=kc;Username=kc;Password=kc;Timeout=3", settings);
    }
}
