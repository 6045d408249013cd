using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Deployment;

/// <summary>
/// What a container of <c>compose.yaml</c> would run, without a container engine: the output of the
/// Dockerfile's <c>dotnet publish</c>, started from its own folder (the image's <c>/app</c>) with the
/// runtime stage's <c>ENV</c> and the compose service's <c>environment</c>. Only three things are
/// swapped: the database connection for a database of this test's own PostgreSQL server, the
/// listen address for a free loopback port, and the container paths of the compose file's bind
/// mounts for the repository files they mount. Where PostgreSQL is not installed, skipped.
/// </summary>
[NonParallelizable]
public sealed class PublishedServiceTests
{
    private const string ListenAnywhereOnLoopback = "http://127.0.0.1:0";

    private string _published = null!;
    private PostgresServer? _postgres;
    private string _connectionString = null!;
    private TestImageServer _images = null!;
    private ServiceProcess? _api;

    private string ServiceDll => Path.Combine(_published, "KC.Api.dll");

    [OneTimeSetUp]
    public async Task PublishAndStartAsync()
    {
        if (PostgresServer.UnavailableReason is { } reason)
        {
            Assert.Ignore(reason);
        }

        _published = Path.Combine(Path.GetTempPath(), $"kc-publish-{Guid.NewGuid():N}");
        var clock = Stopwatch.StartNew();
        await PublishAsync(_published);
        TestContext.Progress.WriteLine($"dotnet publish src/KC.Api -c Release took {clock.Elapsed.TotalSeconds:F1} s");

        _postgres = await PostgresServer.StartAsync();
        _connectionString = await _postgres.CreateDatabaseAsync("deployment");
        _images = await TestImageServer.StartAsync();
        _api = await StartAsync("api");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_images is not null)
        {
            await _images.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        if (_published is not null && Directory.Exists(_published))
        {
            Directory.Delete(_published, recursive: true);
        }
    }

    [Test]
    public async Task ReadyEndpoint_WhenTheApiServiceRunsWithTheComposeEnvironment_Answers200()
    {
        using var client = _api!.CreateClient();

        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var body = await Json.ReadAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
            Assert.That(body["status"]!.GetValue<string>(), Is.EqualTo("healthy"));
        });
    }

    [Test]
    public async Task Probe_WhenThePublishedBinaryProbesTheReadyService_ExitsZero()
    {
        var url = new Uri(_api!.BaseAddress, "health/ready");

        var (exitCode, output) = await RunAsync("dotnet", [ServiceDll, "probe", url.ToString()], _published, TimeSpan.FromSeconds(60));

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Match($@"^healthy: GET {url} answered 200 in \d+ ms$"));
        });
    }

    [Test]
    public async Task Probe_WhenThePublishedBinaryProbesAClosedPort_ExitsOne()
    {
        var url = $"http://127.0.0.1:{HealthProbeTests.ClosedPort()}/health/ready";

        var (exitCode, output) = await RunAsync("dotnet", [ServiceDll, "probe", url], _published, TimeSpan.FromSeconds(60));

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1), output);
            Assert.That(output, Is.EqualTo($"unhealthy: GET {url} failed: Connection refused"));
        });
    }

    [Test]
    public async Task Submit_WhenTheComposeWorkerRuns_IsAcceptedWithTheApiKeyAndSettledUnderTheNetworkGuard()
    {
        var apiKey = ContainerEnvironment("api")["Api__Keys__0"];
        using var client = _api!.CreateClient();
        var body = Submission(Visit(KnownStore, _images.Url("/img/64x48.png")));

        using var keyless = await client.PostJsonAsync("/api/submit", body);
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        var jobId = await SubmitAsync(client, body);
        var beforeWorker = await client.GetJsonAsync($"/api/status?jobid={jobId}");
        JsonNode settled;
        await using (var worker = await StartAsync("worker"))
        {
            settled = await WaitUntilSettledAsync(client, jobId, TimeSpan.FromSeconds(120));
        }

        Assert.Multiple(() =>
        {
            Assert.That(keyless.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the compose file's Api__Keys__0 is in force");
            Assert.That(beforeWorker["status"]!.GetValue<string>(), Is.EqualTo("ongoing"), "the api node claims no work");
            Assert.That(beforeWorker["progress"]!["pending"]!.GetValue<int>(), Is.EqualTo(1));

            // Processing:AllowPrivateNetworks=false, as the compose file sets it: the worker took the
            // image and refused its loopback address without a request.
            Assert.That(settled["status"]!.GetValue<string>(), Is.EqualTo("failed"));
            Assert.That(settled["progress"]!["failed"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(settled["error"]![0]!["error"]!.GetValue<string>(), Does.Contain("is refused by the network guard (loopback)"));
            Assert.That(_images.TotalRequests, Is.Zero);
        });
    }

    /// <summary>
    /// The container's environment for a compose service: the Dockerfile's runtime <c>ENV</c>, then
    /// the service's <c>environment</c> over it (Compose's variables as with no <c>.env</c> file).
    /// </summary>
    private static Dictionary<string, string> ContainerEnvironment(string service)
    {
        var environment = new Dictionary<string, string>(Dockerfile.Load(DeploymentFiles.PathOf("Dockerfile")).RuntimeEnvironment, StringComparer.Ordinal);
        foreach (var (key, value) in ComposeFile.Load(DeploymentFiles.PathOf("compose.yaml")).Environment(service))
        {
            environment[key] = DeploymentFiles.Interpolate(value);
        }

        return environment;
    }

    /// <summary>Starts the published service as the compose service <paramref name="service"/>, with the three swaps this fixture names.</summary>
    private async Task<ServiceProcess> StartAsync(string service)
    {
        var environment = ContainerEnvironment(service);
        var mounts = ComposeFile.Load(DeploymentFiles.PathOf("compose.yaml")).Volumes(service);
        foreach (var key in environment.Keys.ToList())
        {
            foreach (var (source, target) in mounts.Where(m => environment[key].StartsWith(m.Target, StringComparison.Ordinal)))
            {
                environment[key] = DeploymentFiles.PathOf(source) + environment[key][target.Length..];
            }
        }

        Assert.That(environment, Does.ContainKey("ConnectionStrings__KC").And.ContainKey("Urls"), "the compose service and the image name the database and the address");
        environment["ConnectionStrings__KC"] = _connectionString;
        environment["Urls"] = ListenAnywhereOnLoopback;
        return await ServiceProcess.StartAsync(
            _connectionString,
            environment.ToDictionary(e => e.Key, e => (string?)e.Value),
            TimeSpan.FromSeconds(120),
            ownLogging: true,
            servicePath: ServiceDll);
    }

    /// <summary>The Dockerfile's publish, into <paramref name="output"/>; no build server or node is left running after it.</summary>
    private static async Task PublishAsync(string output)
    {
        var (exitCode, log) = await RunAsync(
            "dotnet",
            ["publish", Path.Combine(DeploymentFiles.RepositoryRoot, "src", "KC.Api"), "-c", "Release", "-o", output, "-p:UseAppHost=false", "-nodeReuse:false", "--nologo"],
            DeploymentFiles.RepositoryRoot,
            TimeSpan.FromMinutes(15));
        Assert.That(exitCode, Is.Zero, $"dotnet publish failed:\n{log}");
    }

    /// <summary>
    /// Runs a program to its end, with the MSBuild variables of the test run's own build removed;
    /// its output and error interleaved. Killed, failing the test, after <paramref name="timeout"/>.
    /// </summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        var lines = new List<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not end within {timeout}.");
        }

        // The exit event can come before the last lines of output have been read.
        process.WaitForExit();
        lock (lines)
        {
            return (process.ExitCode, string.Join('\n', lines));
        }

        void Record(string? line)
        {
            if (line is not null)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        }
    }
}
