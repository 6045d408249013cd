using System.Net;
using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.Infrastructure.Imaging;
using KC.TestSupport;

namespace KC.Infrastructure.IntegrationTests.Imaging;

/// <summary>
/// The guard inside the real download stack, with AllowPrivateNetworks off. Names resolve through a
/// fake table and every connection the guard allows is dialled to the local image server, so a
/// "public" host (203.0.113.0/24, documentation range) is really 127.0.0.1 and nothing leaves the machine.
/// </summary>
[TestFixture]
public sealed class NetworkGuardDownloadTests
{
    private const string PublicAddress = "203.0.113.10";

    private TestImageServer _server = null!;
    private FakeResolver _resolver = null!;
    private LoopbackDialer _dialer = null!;
    private DownloadStack _stack = null!;

    private int Port => _server.BaseAddress.Port;

    /// <summary>URL template ({port} is the image server's), expected reason, host name looked up (null for a literal).</summary>
    private static IEnumerable<TestCaseData> RefusedUrls()
    {
        yield return Case("http://127.0.0.1:{port}/img/10x10.png", "loopback", null, "IPv4 loopback");
        yield return Case("http://127.5.6.7:{port}/img/10x10.png", "loopback", null, "elsewhere in 127/8");
        yield return Case("http://localhost:{port}/img/10x10.png", "loopback", "localhost", "localhost");
        yield return Case("http://[::1]:{port}/img/10x10.png", "loopback", null, "IPv6 loopback");
        yield return Case("http://0.0.0.0:{port}/img/10x10.png", "unspecified", null, "IPv4 unspecified");
        yield return Case("http://[::]:{port}/img/10x10.png", "unspecified", null, "IPv6 unspecified");
        yield return Case("http://[::ffff:127.0.0.1]:{port}/img/10x10.png", "loopback", null, "IPv4-mapped loopback");
        yield return Case("http://2130706433:{port}/img/10x10.png", "loopback", null, "decimal 127.0.0.1");
        yield return Case("http://0x7f000001:{port}/img/10x10.png", "loopback", null, "hex 127.0.0.1");
        yield return Case("http://0177.0.0.1:{port}/img/10x10.png", "loopback", null, "octal 127.0.0.1");
        yield return Case("http://127.1:{port}/img/10x10.png", "loopback", null, "short 127.0.0.1");
        yield return Case("http://10.0.0.5:{port}/img/10x10.png", "private network", null, "literal RFC 1918");
        yield return Case("http://169.254.169.254:{port}/img/10x10.png", "link-local", null, "literal metadata");
        yield return Case("http://rebind.test:{port}/img/10x10.png", "loopback", "rebind.test", "name to loopback");
        yield return Case("http://intranet.test:{port}/img/10x10.png", "private network", "intranet.test", "name to 10.0.0.5");
        yield return Case("http://metadata.test:{port}/img/10x10.png", "link-local", "metadata.test", "name to metadata");
        yield return Case("http://ula.test:{port}/img/10x10.png", "unique-local", "ula.test", "name to fd12::1");

        static TestCaseData Case(string url, string reason, string? lookedUp, string name) =>
            new TestCaseData(url, reason, lookedUp).SetArgDisplayNames(name);
    }

    [OneTimeSetUp]
    public async Task StartServer() => _server = await TestImageServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [SetUp]
    public void BuildStack()
    {
        _resolver = new FakeResolver()
            .Map("public.test", PublicAddress)
            .Map("localhost", "127.0.0.1", "::1")
            .Map("rebind.test", "127.0.0.1")
            .Map("intranet.test", "10.0.0.5")
            .Map("metadata.test", "169.254.169.254")
            .Map("ula.test", "fd12::1")
            .Map("private.test", "10.1.2.3")
            .Map("mixed.test", "127.0.0.1", "10.0.0.1", PublicAddress);
        _dialer = new LoopbackDialer(Port);
        var guard = new NetworkGuard(allowPrivateNetworks: false, _resolver.ResolveAsync, _dialer.DialAsync);
        _stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: false, maxAttempts: 3), guard);
    }

    [TearDown]
    public void DisposeStack() => _stack.Dispose();

    [TestCaseSource(nameof(RefusedUrls))]
    public async Task DownloadAsync_WhenAddressIsNotPublic_FailsAtOnceWithoutConnecting(string template, string reason, string? lookedUp)
    {
        var url = new Uri(template.Replace("{port}", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var requestsBefore = _server.TotalRequests;

        var error = await DownloadStack.CatchAsync(() => _stack.Downloader.DownloadAsync(url, CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Does.Contain("refused by the network guard").And.Contain($"({reason})"));
        Assert.That(error.Message, Does.Contain("Processing:AllowPrivateNetworks"));
        Assert.That(_dialer.Calls, Is.Zero, "the guard must refuse before any connection is made");
        Assert.That(_server.TotalRequests, Is.EqualTo(requestsBefore));
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(1));
        Assert.That(_stack.Attempts, Is.EqualTo(1), "a refusal is permanent: the resilience handler must not retry it");
        Assert.That(_resolver.TotalLookups, Is.EqualTo(lookedUp is null ? 0 : 1));
        if (lookedUp is not null)
        {
            Assert.That(_resolver.Lookups(lookedUp), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task DownloadAsync_WhenLocalhostResolvesThroughTheSystemResolver_IsRefused()
    {
        // The guard's own DNS resolution (only "localhost" is asked, which never leaves the machine).
        var dialer = new LoopbackDialer(Port);
        var guard = new NetworkGuard(allowPrivateNetworks: false, dial: dialer.DialAsync);
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: false, maxAttempts: 3), guard);
        var requestsBefore = _server.TotalRequests;

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(new Uri($"http://localhost:{Port}/img/10x10.png"), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Does.Contain("refused by the network guard").And.Contain("(loopback)"));
        Assert.That(dialer.Calls, Is.Zero);
        Assert.That(_server.TotalRequests, Is.EqualTo(requestsBefore));
        Assert.That(stack.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task DownloadAsync_WhenNoGuardIsRegistered_DefaultGuardRefusesLoopback()
    {
        // AddImagingStages' own guard, built from ImagingOptions.AllowPrivateNetworks=false.
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: false, maxAttempts: 3));
        var requestsBefore = _server.TotalRequests;

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(_server.Url("/img/10x10.png"), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Does.Contain("refused by the network guard").And.Contain("(loopback)"));
        Assert.That(_server.TotalRequests, Is.EqualTo(requestsBefore));
        Assert.That(stack.Attempts, Is.EqualTo(1));
    }

    [TestCase("png", 64, 48)]
    [TestCase("jpg", 33, 17)]
    [TestCase("webp", 20, 30)]
    [TestCase("gif", 7, 9)]
    [TestCase("bmp", 5, 3)]
    public async Task DownloadAsync_WhenHostResolvesToAPublicAddress_DownloadsAndMeasuresTheImage(string extension, int width, int height)
    {
        var path = $"/img/{width}x{height}.{extension}";
        var url = new Uri($"http://public.test:{Port}{path}");
        var requestsBefore = _server.RequestCount(path);

        var download = await _stack.Downloader.DownloadAsync(url, CancellationToken.None);
        var size = download.Size;

        Assert.That(size, Is.EqualTo(new ImageSize(width, height)));
        Assert.That(_server.RequestCount(path), Is.EqualTo(requestsBefore + 1));
        Assert.That(_resolver.Lookups("public.test"), Is.EqualTo(1));
        Assert.That(_dialer.Dialled, Has.Count.EqualTo(1));
        Assert.That(_dialer.Dialled[0].Addresses, Is.EqualTo(new[] { IPAddress.Parse(PublicAddress) }));
        Assert.That(_dialer.Dialled[0].Port, Is.EqualTo(Port));
    }

    [Test]
    public async Task DownloadAsync_WhenHostResolvesToPrivateAndPublicAddresses_DialsOnlyThePublicOne()
    {
        var url = new Uri($"http://mixed.test:{Port}/img/12x8.png");

        var download = await _stack.Downloader.DownloadAsync(url, CancellationToken.None);

        Assert.That(download.Size, Is.EqualTo(new ImageSize(12, 8)));
        Assert.That(_dialer.Dialled, Has.Count.EqualTo(1));
        Assert.That(_dialer.Dialled[0].Addresses, Is.EqualTo(new[] { IPAddress.Parse(PublicAddress) }));
    }

    [Test]
    public async Task DownloadAsync_WhenPublicHostRedirectsToLoopback_IsRefusedAtTheHop()
    {
        var target = $"http://127.0.0.1:{Port}/img/5x5.png";
        var url = new Uri($"http://public.test:{Port}/redirect?to={Uri.EscapeDataString(target)}");
        var redirectsBefore = _server.RequestCount("/redirect");
        var imagesBefore = _server.RequestCount("/img/5x5.png");
        var requestsBefore = _server.TotalRequests;

        var error = await DownloadStack.CatchAsync(() => _stack.Downloader.DownloadAsync(url, CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Does.Contain("refused by the network guard").And.Contain("(loopback)"));
        Assert.That(_dialer.Dialled, Has.Count.EqualTo(1), "only the first hop, to the public host, may connect");
        Assert.That(_dialer.Dialled[0].Addresses, Is.EqualTo(new[] { IPAddress.Parse(PublicAddress) }));
        Assert.That(_server.RequestCount("/redirect"), Is.EqualTo(redirectsBefore + 1));
        Assert.That(_server.RequestCount("/img/5x5.png"), Is.EqualTo(imagesBefore));
        Assert.That(_server.TotalRequests, Is.EqualTo(requestsBefore + 1));
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(2), "one request per hop");
        Assert.That(_stack.Attempts, Is.EqualTo(2), "a refused hop is permanent: neither it nor the first hop is retried");
    }

    [Test]
    public async Task DownloadAsync_WhenPublicHostRedirectsToANameResolvingToPrivate_IsRefusedAtTheHop()
    {
        var target = $"http://private.test:{Port}/img/5x5.png";
        var url = new Uri($"http://public.test:{Port}/redirect?to={Uri.EscapeDataString(target)}");
        var redirectsBefore = _server.RequestCount("/redirect");
        var requestsBefore = _server.TotalRequests;

        var error = await DownloadStack.CatchAsync(() => _stack.Downloader.DownloadAsync(url, CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Does.Contain("10.1.2.3").And.Contain("refused by the network guard").And.Contain("(private network)"));
        Assert.That(_resolver.Lookups("private.test"), Is.EqualTo(1));
        Assert.That(_dialer.Dialled, Has.Count.EqualTo(1));
        Assert.That(_server.RequestCount("/redirect"), Is.EqualTo(redirectsBefore + 1));
        Assert.That(_server.TotalRequests, Is.EqualTo(requestsBefore + 1));
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(2));
        Assert.That(_stack.Attempts, Is.EqualTo(2));
    }

    [Test]
    public async Task DownloadAsync_WhenPublicHostRedirectsToAnotherPublicHost_FollowsTheRedirect()
    {
        var target = $"http://public.test:{Port}/img/6x4.png";
        var url = new Uri($"http://public.test:{Port}/redirect?to={Uri.EscapeDataString(target)}");

        var download = await _stack.Downloader.DownloadAsync(url, CancellationToken.None);

        Assert.That(download.Size, Is.EqualTo(new ImageSize(6, 4)));
        Assert.That(download.Attempts, Is.EqualTo(2));
        Assert.That(_dialer.Dialled.SelectMany(d => d.Addresses), Is.All.EqualTo(IPAddress.Parse(PublicAddress)));
    }

    [Test]
    public async Task DownloadAsync_WhenHostDoesNotResolve_FailsWithANameResolutionMessage()
    {
        var url = new Uri($"http://nowhere.test:{Port}/img/5x5.png");

        var error = await DownloadStack.CatchAsync(() => _stack.Downloader.DownloadAsync(url, CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo("the host name could not be resolved"));
        Assert.That(_dialer.Calls, Is.Zero);
    }
}
