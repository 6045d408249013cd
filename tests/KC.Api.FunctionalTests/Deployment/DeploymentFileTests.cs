using System.Globalization;
using KC.Api.Hosting;
using Npgsql;

namespace KC.Api.FunctionalTests.Deployment;

/// <summary>
/// <c>compose.yaml</c> and the <c>Dockerfile</c> as files: valid, of the documented shape, and naming
/// only settings that exist. No container engine runs here, so this and
/// <see cref="PublishedServiceTests"/> are what stands for running them (docs/deployment.md).
/// </summary>
public sealed class DeploymentFileTests
{
    private const string Postgres = "postgres";
    private static readonly string[] KcServices = ["api", "worker"];

    private static ComposeFile Compose => ComposeFile.Load(DeploymentFiles.PathOf("compose.yaml"));

    [Test]
    public void ComposeFile_WhenParsed_IsOneDocumentWithPostgresAnApiAndWorkers()
    {
        var compose = Compose;

        Assert.Multiple(() =>
        {
            Assert.That(compose.Documents, Is.EqualTo(1));
            Assert.That(compose.ServiceNames, Is.EquivalentTo(new[] { Postgres, "api", "worker" }));
        });
    }

    [Test]
    public void PostgresService_WhenRead_ChecksReadinessOverTcpAndKeepsItsDataInANamedVolume()
    {
        var compose = Compose;

        var image = compose.Value(Postgres, "image");
        var check = compose.Values(Postgres, "healthcheck", "test");
        var user = compose.Environment(Postgres)["POSTGRES_USER"];
        var data = compose.Volumes(Postgres).SingleOrDefault(v => v.Target == "/var/lib/postgresql/data");

        Assert.Multiple(() =>
        {
            Assert.That(image, Is.EqualTo("postgres:16").Or.EqualTo("postgres:17"));
            Assert.That(check.Take(2), Is.EqualTo(new[] { "CMD", "pg_isready" }));
            Assert.That(ArgumentAfter(check, "-h"), Is.EqualTo("127.0.0.1"), "pg_isready must ask over TCP, not the socket the initialising server already answers on");
            Assert.That(ArgumentAfter(check, "-U"), Is.EqualTo(user));
            Assert.That(data.Source, Is.Not.Null.And.Not.StartWith(".").And.Not.StartWith("/"), "a named volume, not a bind mount");
            Assert.That(compose.NamedVolumes, Does.Contain(data.Source));
        });
    }

    [Test]
    public void KcServices_WhenRead_WaitForAHealthyPostgresAndStopAfterTheShutdownGrace()
    {
        var compose = Compose;

        Assert.Multiple(() =>
        {
            foreach (var service in KcServices)
            {
                Assert.That(compose.DependsOn(service), Is.EquivalentTo(new Dictionary<string, string> { [Postgres] = "service_healthy" }), service);
                Assert.That(compose.Has(service, "build"), Is.True, $"{service} is built from the Dockerfile");
                var grace = int.Parse(compose.Environment(service).GetValueOrDefault("Processing__ShutdownGraceSeconds", "10"), CultureInfo.InvariantCulture);
                Assert.That(Seconds(compose.Value(service, "stop_grace_period")), Is.GreaterThan(grace), $"{service}: stop_grace_period against Processing:ShutdownGraceSeconds");
            }
        });
    }

    [Test]
    public void KcServices_WhenCountedByRole_AreOneApiNodeAndTwoWorkers()
    {
        var compose = Compose;

        var nodes = KcServices
            .GroupBy(service => compose.Environment(service).GetValueOrDefault("Node__Role", "all"))
            .ToDictionary(role => role.Key, role => role.Sum(service => int.Parse(compose.Value(service, "deploy", "replicas") ?? "1", CultureInfo.InvariantCulture)));

        Assert.Multiple(() =>
        {
            Assert.That(nodes, Is.EquivalentTo(new Dictionary<string, int> { ["api"] = 1, ["worker"] = 2 }));
            Assert.That(compose.Values("api", "ports"), Is.EqualTo(new[] { "8080:8080" }));
            Assert.That(compose.Values("worker", "ports"), Is.Empty, "workers serve only /health/*, to nobody outside");
        });
    }

    [Test]
    public void KcServices_WhenTheirEnvironmentIsRead_NameOnlySettingsOfTheReadme()
    {
        var compose = Compose;
        var documented = DeploymentFiles.DocumentedSettings();

        var unknown = KcServices
            .SelectMany(service => compose.Environment(service).Keys.Select(key => (Service: service, Key: key)))
            .Where(entry => !DeploymentFiles.IsKnown(entry.Key, documented))
            .Select(entry => $"{entry.Service}: {entry.Key} ({DeploymentFiles.SettingOf(entry.Key)})");

        Assert.Multiple(() =>
        {
            Assert.That(documented, Has.Count.GreaterThan(40), "README's configuration table was read");
            Assert.That(unknown, Is.Empty, "every variable maps to a key of README's configuration table");
        });
    }

    [Test]
    public void KcServices_WhenTheirDatabaseIsRead_PointAtThePostgresServiceWithItsCredentials()
    {
        var compose = Compose;
        var postgres = compose.Environment(Postgres);

        Assert.Multiple(() =>
        {
            foreach (var service in KcServices)
            {
                var environment = compose.Environment(service);
                var connection = new NpgsqlConnectionStringBuilder(environment["ConnectionStrings__KC"]);
                Assert.That(environment["Database__Provider"], Is.EqualTo("Postgres"), service);
                Assert.That(connection.Host, Is.EqualTo(Postgres), service);
                Assert.That(connection.Username, Is.EqualTo(postgres["POSTGRES_USER"]), service);
                Assert.That(connection.Password, Is.EqualTo(postgres["POSTGRES_PASSWORD"]), service);
                Assert.That(connection.Database, Is.EqualTo(postgres["POSTGRES_DB"]), service);
                Assert.That(environment["Processing__AllowPrivateNetworks"], Is.EqualTo("false"), service);
            }
        });
    }

    [Test]
    public void KcServices_WhenTheirMountsAreRead_MountFilesOfTheRepository()
    {
        var compose = Compose;

        var sources = KcServices.SelectMany(compose.Volumes).Select(volume => volume.Source).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(sources, Is.Not.Empty);
            foreach (var source in sources)
            {
                Assert.That(File.Exists(DeploymentFiles.PathOf(source)), Is.True, $"{source} exists beside compose.yaml");
            }
        });
    }

    [Test]
    public void Dockerfile_WhenRead_PublishesOnTheSdkAndRunsOnTheAspNetRuntimeAsTheAppUser()
    {
        var dockerfile = Dockerfile.Load(DeploymentFiles.PathOf("Dockerfile"));

        Assert.Multiple(() =>
        {
            Assert.That(dockerfile.BaseImages, Is.EqualTo(new[] { "mcr.microsoft.com/dotnet/sdk:10.0", "mcr.microsoft.com/dotnet/aspnet:10.0" }));
            Assert.That(dockerfile.RuntimeUser, Is.EqualTo("$APP_UID"));
        });
    }

    [Test]
    public void Dockerfile_WhenItsEnvironmentIsRead_NamesOnlySettingsOfTheReadme()
    {
        var dockerfile = Dockerfile.Load(DeploymentFiles.PathOf("Dockerfile"));
        var documented = DeploymentFiles.DocumentedSettings();

        var environment = dockerfile.RuntimeEnvironment;

        Assert.Multiple(() =>
        {
            Assert.That(environment.Keys, Does.Contain("Urls"));
            Assert.That(environment.Keys.Where(key => !DeploymentFiles.IsKnown(key, documented)), Is.Empty);
        });
    }

    [Test]
    public void Dockerfile_WhenItsHealthCheckIsRead_ProbesReadinessOnThePortItListensOn()
    {
        var dockerfile = Dockerfile.Load(DeploymentFiles.PathOf("Dockerfile"));

        var command = dockerfile.HealthCheckCommand;
        var parsed = HealthProbe.TryParse([.. command.Skip(2)], out var request, out var problem);
        var listens = new Uri(dockerfile.RuntimeEnvironment["Urls"].Replace("+", "localhost", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(command.Take(3), Is.EqualTo(new[] { "dotnet", "/app/KC.Api.dll", HealthProbe.Command }));
            Assert.That(parsed, Is.True, problem);
            Assert.That(request?.Url.AbsolutePath, Is.EqualTo("/health/ready"));
            Assert.That(request?.Url.Port, Is.EqualTo(listens.Port));
        });
    }

    private static string? ArgumentAfter(IReadOnlyList<string> arguments, string option)
    {
        var at = arguments.ToList().IndexOf(option);
        return at >= 0 && at + 1 < arguments.Count ? arguments[at + 1] : null;
    }

    /// <summary>A Compose duration such as <c>30s</c>, <c>1m30s</c> or <c>2m</c>, in seconds.</summary>
    private static double Seconds(string? duration)
    {
        Assert.That(duration, Is.Not.Null, "stop_grace_period is set");
        var total = 0.0;
        foreach (System.Text.RegularExpressions.Match part in System.Text.RegularExpressions.Regex.Matches(duration!, @"(\d+(?:\.\d+)?)(h|ms|m|s)"))
        {
            var value = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch { "h" => value * 3600, "m" => value * 60, "s" => value, _ => value / 1000 };
        }

        return total;
    }
}
