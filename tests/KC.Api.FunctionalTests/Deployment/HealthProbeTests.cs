using System.Net;
using System.Net.Sockets;
using KC.Api.Hosting;
using KC.TestSupport;

namespace KC.Api.FunctionalTests.Deployment;

/// <summary>
/// <c>dotnet KC.Api.dll probe</c>, the container's health check: its arguments, and its answers to
/// a real server on loopback (in this process; <see cref="PublishedServiceTests"/> runs the binary).
/// </summary>
public sealed class HealthProbeTests
{
    private TestImageServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServerAsync() => _server = await TestImageServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServerAsync() => await _server.DisposeAsync();

    [TestCase(new[] { "probe" }, true)]
    [TestCase(new[] { "probe", "http://127.0.0.1:8080/health/ready" }, true)]
    [TestCase(new string[0], false)]
    [TestCase(new[] { "Probe" }, false)]
    [TestCase(new[] { "--probe" }, false)]
    [TestCase(new[] { "--Urls=http://127.0.0.1:8080", "probe" }, false)]
    public void IsRequested_WhenGivenACommandLine_IsTrueOnlyForProbeFirst(string[] args, bool expected)
    {
        var requested = HealthProbe.IsRequested(args);

        Assert.That(requested, Is.EqualTo(expected));
    }

    [Test]
    public void TryParse_WhenOnlyTheCommandIsGiven_UsesTheDefaultUrlAndTimeout()
    {
        var parsed = HealthProbe.TryParse(["probe"], out var request, out var problem);

        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.True, problem);
            Assert.That(request, Is.EqualTo(new HealthProbeRequest(new Uri("http://127.0.0.1:8080/health/ready"), TimeSpan.FromSeconds(5))));
        });
    }

    [TestCase("--timeout", "2.5")]
    [TestCase("--timeout=2.5", null)]
    public void TryParse_WhenAUrlAndATimeoutAreGiven_UsesBoth(string option, string? value)
    {
        string[] args = value is null ? ["probe", "--timeout=2.5", "http://10.0.0.5:9000/health/live"] : ["probe", "http://10.0.0.5:9000/health/live", option, value];

        var parsed = HealthProbe.TryParse(args, out var request, out var problem);

        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.True, problem);
            Assert.That(request, Is.EqualTo(new HealthProbeRequest(new Uri("http://10.0.0.5:9000/health/live"), TimeSpan.FromSeconds(2.5))));
        });
    }

    [TestCase(new[] { "probe", "ftp://127.0.0.1/health/ready" }, "url must be an absolute http or https URL such as http://127.0.0.1:8080/health/ready; got 'ftp://127.0.0.1/health/ready'")]
    [TestCase(new[] { "probe", "health/ready" }, "url must be an absolute http or https URL such as http://127.0.0.1:8080/health/ready; got 'health/ready'")]
    [TestCase(new[] { "probe", "http://a/", "http://b/" }, "only one url may be given; got 'http://a/' and 'http://b/'")]
    [TestCase(new[] { "probe", "--timeout" }, "--timeout must be a positive number of seconds, at most 3600; got nothing")]
    [TestCase(new[] { "probe", "--timeout", "0" }, "--timeout must be a positive number of seconds, at most 3600; got '0'")]
    [TestCase(new[] { "probe", "--timeout", "-1" }, "--timeout must be a positive number of seconds, at most 3600; got '-1'")]
    [TestCase(new[] { "probe", "--timeout=5s" }, "--timeout must be a positive number of seconds, at most 3600; got '5s'")]
    [TestCase(new[] { "probe", "--timeout", "3601" }, "--timeout must be a positive number of seconds, at most 3600; got '3601'")]
    [TestCase(new[] { "probe", "--verbose" }, "unknown option '--verbose'; usage: probe [url] [--timeout seconds]")]
    [TestCase(new[] { "serve" }, "the first argument must be 'probe'")]
    public void TryParse_WhenAnArgumentIsInvalid_RefusesItNamingTheArgument(string[] args, string expected)
    {
        var parsed = HealthProbe.TryParse(args, out var request, out var problem);

        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.False);
            Assert.That(request, Is.Null);
            Assert.That(problem, Is.EqualTo(expected));
        });
    }

    [Test]
    public async Task RunAsync_WhenTheUrlAnswers200_ExitsZeroWithOneHealthyLine()
    {
        var url = _server.Url("/status/200");

        var (exitCode, output, error) = await ProbeAsync("probe", url.ToString());

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(HealthProbe.Healthy));
            Assert.That(output, Does.Match($@"^healthy: GET {url} answered 200 in \d+ ms\n$"));
            Assert.That(error, Is.Empty);
        });
    }

    [Test]
    public async Task RunAsync_WhenTheUrlAnswers503_ExitsOneWithTheStatus()
    {
        var url = _server.Url("/status/503");

        var (exitCode, output, error) = await ProbeAsync("probe", url.ToString());

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(HealthProbe.Unhealthy));
            Assert.That(output, Is.Empty);
            Assert.That(error, Does.Match($@"^unhealthy: GET {url} answered 503 in \d+ ms\n$"));
        });
    }

    [Test]
    public async Task RunAsync_WhenTheUrlRedirects_ExitsOneWithoutFollowing()
    {
        var url = _server.Url($"/redirect?to={Uri.EscapeDataString(_server.Url("/status/200").ToString())}");
        var before = _server.RequestCount("/status/200");

        var (exitCode, _, error) = await ProbeAsync("probe", url.ToString());

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(HealthProbe.Unhealthy));
            Assert.That(error, Does.Contain(" answered 302 in "));
            Assert.That(_server.RequestCount("/status/200"), Is.EqualTo(before), "the redirect was not followed");
        });
    }

    [Test]
    public async Task RunAsync_WhenNothingListens_ExitsOneNamingTheFailure()
    {
        var url = $"http://127.0.0.1:{ClosedPort()}/health/ready";

        var (exitCode, output, error) = await ProbeAsync("probe", url);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(HealthProbe.Unhealthy));
            Assert.That(output, Is.Empty);
            Assert.That(error, Is.EqualTo($"unhealthy: GET {url} failed: Connection refused\n"));
        });
    }

    [Test]
    public async Task RunAsync_WhenTheAnswerTakesLongerThanTheTimeout_ExitsOneNamingTheTimeout()
    {
        var url = _server.Url("/slow/30000/1x1.png");

        var (exitCode, _, error) = await ProbeAsync("probe", url.ToString(), "--timeout", "0.2");

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(HealthProbe.Unhealthy));
            Assert.That(error, Is.EqualTo($"unhealthy: GET {url} had no answer within 0.2 s\n"));
        });
    }

    [Test]
    public async Task RunAsync_WhenTheArgumentsAreInvalid_ExitsOneWithoutARequest()
    {
        var before = _server.TotalRequests;

        var (exitCode, output, error) = await ProbeAsync("probe", _server.Url("/status/200").ToString(), "--timeout", "soon");

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(HealthProbe.Unhealthy));
            Assert.That(output, Is.Empty);
            Assert.That(error, Is.EqualTo("unhealthy: --timeout must be a positive number of seconds, at most 3600; got 'soon'\n"));
            Assert.That(_server.TotalRequests, Is.EqualTo(before));
        });
    }

    /// <summary>A loopback port that was free a moment ago and has nothing listening now.</summary>
    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int ExitCode, string Output, string Error)> ProbeAsync(params string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var exitCode = await HealthProbe.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
