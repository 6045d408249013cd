using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.TestSupport;

namespace KC.Infrastructure.IntegrationTests.Imaging;

/// <summary>
/// The real download stack against the local image server over real sockets, with
/// AllowPrivateNetworks on and the production guard, resolver and dial.
/// </summary>
[TestFixture]
public sealed class HttpImageDownloaderTests
{
    private TestImageServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await TestImageServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [TestCase(TestImageFormat.Png, 640, 480)]
    [TestCase(TestImageFormat.Jpeg, 33, 17)]
    [TestCase(TestImageFormat.Webp, 100, 1)]
    [TestCase(TestImageFormat.Gif, 1, 100)]
    [TestCase(TestImageFormat.Bmp, 31, 7)]
    public async Task DownloadAsync_WhenImageIsServed_ReturnsItsSizeAndLength(TestImageFormat format, int width, int height)
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true));
        var url = _server.Url($"/img/{width}x{height}.{TestImages.Extension(format)}");

        var download = await stack.Downloader.DownloadAsync(url, CancellationToken.None);

        Assert.That(download.Size, Is.EqualTo(new ImageSize(width, height)));
        Assert.That(download.Bytes, Is.EqualTo(TestImages.Create(format, width, height).Length));
        Assert.That((download.Attempts, download.LastError), Is.EqualTo((1, (string?)null)));
        Assert.That(stack.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task DownloadAsync_WhenAPhoneJpegHasLargeMetadata_MeasuresItAndCountsEveryByte()
    {
        var photo = TestPhotos.Jpeg(1600, 1200, progressive: true, metadataBytes: 300_000);
        var url = _server.AddFile("progressive-with-exif.jpg", photo, "image/jpeg");
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true));

        var download = await stack.Downloader.DownloadAsync(url, CancellationToken.None);

        Assert.That(download.Size, Is.EqualTo(new ImageSize(1600, 1200)));
        Assert.That(download.Bytes, Is.EqualTo(photo.Length));
    }

    [Test]
    public async Task DownloadAsync_WhenMoreDownloadsThanConnectionsPerHost_WaitsForTheOpenConnections()
    {
        // A server of its own: the peak must be this test's alone.
        await using var server = await TestImageServer.StartAsync();
        var options = DownloadStack.Options(allowPrivateNetworks: true);
        options.MaxConnectionsPerHost = 2;
        using var stack = new DownloadStack(options);

        // Six slow downloads at once, within the stack's eight download slots.
        var downloads = await Task.WhenAll(Enumerable.Range(1, 6)
            .Select(i => stack.Downloader.DownloadAsync(server.Url($"/slow/200/{i}x7.png"), CancellationToken.None)));

        Assert.That(downloads.Select(d => d.Size), Is.EqualTo(Enumerable.Range(1, 6).Select(i => new ImageSize(i, 7))));
        Assert.That(server.PeakRequestsInFlight, Is.EqualTo(2), "connections to the host at once");
    }

    [TestCase(400)]
    [TestCase(401)]
    [TestCase(403)]
    [TestCase(404)]
    [TestCase(410)]
    [TestCase(422)]
    public async Task DownloadAsync_WhenStatusIsPermanent_FailsAfterOneRequest(int status)
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 3));
        var path = $"/status/{status}";
        var before = _server.RequestCount(path);

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(_server.Url(path), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo(string.Create(CultureInfo.InvariantCulture, $"HTTP {status}")));
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(1));
        Assert.That(_server.RequestCount(path) - before, Is.EqualTo(1));
    }

    [TestCase(408)]
    [TestCase(429)]
    [TestCase(500)]
    [TestCase(502)]
    [TestCase(503)]
    [TestCase(504)]
    public async Task DownloadAsync_WhenStatusIsTransient_RetriesMaxAttemptsTimesThenFails(int status)
    {
        const int maxAttempts = 2;
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts));
        var path = $"/status/{status}";
        var before = _server.RequestCount(path);

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(_server.Url(path), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo(string.Create(CultureInfo.InvariantCulture, $"HTTP {status}")));
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(maxAttempts));
        Assert.That(_server.RequestCount(path) - before, Is.EqualTo(maxAttempts));
    }

    [Test]
    public async Task DownloadAsync_WhenServerErrorPersists_MakesExactlyMaxAttemptsRequests()
    {
        const int maxAttempts = 3;
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts));
        var before = _server.RequestCount("/status/500");

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(_server.Url("/status/500"), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo("HTTP 500"));
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(maxAttempts));
        Assert.That(_server.RequestCount("/status/500") - before, Is.EqualTo(maxAttempts));
        Assert.That(stack.Attempts, Is.EqualTo(maxAttempts));
    }

    [Test]
    public async Task DownloadAsync_WhenMaxAttemptsIsOne_DoesNotRetryServerErrors()
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 1));
        var before = _server.RequestCount("/status/503");

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(_server.Url("/status/503"), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo("HTTP 503"));
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(1));
        Assert.That(_server.RequestCount("/status/503") - before, Is.EqualTo(1));
    }

    [Test]
    public async Task DownloadAsync_WhenFirstResponseIs503_SucceedsOnTheSecondRequest()
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 3));
        var path = $"/flaky/{Guid.NewGuid():N}/1/24x12.png";

        var download = await stack.Downloader.DownloadAsync(_server.Url(path), CancellationToken.None);

        Assert.That(download.Size, Is.EqualTo(new ImageSize(24, 12)));
        Assert.That(_server.RequestCount(path), Is.EqualTo(2));
        Assert.That((download.Attempts, download.LastError), Is.EqualTo((2, (string?)"HTTP 503")));
    }

    [Test]
    public async Task DownloadAsync_WhenTwoFailuresPrecedeSuccess_ReportsThreeAttemptsAndTheLastError()
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 3));
        var path = $"/flaky/{Guid.NewGuid():N}/2/24x12.png";

        var download = await stack.Downloader.DownloadAsync(_server.Url(path), CancellationToken.None);

        Assert.That(download.Size, Is.EqualTo(new ImageSize(24, 12)));
        Assert.That(download.Attempts, Is.EqualTo(3));
        Assert.That(download.LastError, Is.EqualTo("HTTP 503"));
        Assert.That(_server.RequestCount(path), Is.EqualTo(3));
        Assert.That(stack.Attempts, Is.EqualTo(3));
    }

    [Test]
    public async Task DownloadAsync_WhenStatusIs404_FailsReportingOneAttempt()
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 3));

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(_server.Url("/status/404"), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo("HTTP 404"));
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task DownloadAsync_WhenFailuresOutnumberAttempts_FailsWithTheLastStatus()
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 2));
        var path = $"/flaky/{Guid.NewGuid():N}/2/24x12.png";

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(_server.Url(path), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo("HTTP 503"));
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(2));
        Assert.That(_server.RequestCount(path), Is.EqualTo(2));
    }

    [TestCase("/not-an-image")]
    [TestCase("/truncated-header.png")]
    public async Task DownloadAsync_WhenBodyIsNotAnImage_FailsAsNotDecodableAfterOneRequest(string path)
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 3));
        var before = _server.RequestCount(path);

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(_server.Url(path), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>().With.Message.StartsWith("not a decodable image"));
        Assert.That(_server.RequestCount(path) - before, Is.EqualTo(1));
    }

    [Test]
    public async Task DownloadAsync_WhenBodyIsCutOff_RetriesMaxAttemptsTimesThenFails()
    {
        const int maxAttempts = 3;
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts));
        const string path = "/cut-off/300x200.jpg";
        var before = _server.RequestCount(path);

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(_server.Url(path), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Does.StartWith("the connection closed before the whole body arrived"));
        Assert.That(error.Message, Does.Contain(string.Create(CultureInfo.InvariantCulture, $"{maxAttempts} attempts")));
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(maxAttempts));
        Assert.That(_server.RequestCount(path) - before, Is.EqualTo(maxAttempts));
    }

    [Test]
    public async Task DownloadAsync_WhenBodyIsCutOffAfterARedirect_RetriesTheLastHopOnly()
    {
        const int maxAttempts = 3;
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts));
        const string target = "/cut-off/301x200.jpg";
        var url = _server.Url("/redirect?to=" + Uri.EscapeDataString(_server.Url(target).ToString()));
        var (redirectsBefore, targetBefore) = (_server.RequestCount("/redirect"), _server.RequestCount(target));

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(url, CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Does.StartWith("the connection closed before the whole body arrived"));
        Assert.That(_server.RequestCount("/redirect") - redirectsBefore, Is.EqualTo(1), "the redirect is not fetched again");
        Assert.That(_server.RequestCount(target) - targetBefore, Is.EqualTo(maxAttempts), "every body try gets the full budget");
    }

    [Test]
    public async Task DownloadAsync_WhenContentLengthExceedsLimit_FailsAfterOneRequest()
    {
        var size = TestImages.Png(100, 100).Length;
        var options = DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 3);
        options.MaxImageBytes = size - 1;
        using var stack = new DownloadStack(options);
        const string path = "/img/100x100.png";
        var before = _server.RequestCount(path);

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(_server.Url(path), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo(string.Create(
            CultureInfo.InvariantCulture,
            $"the body of {size} bytes exceeds the limit of {size - 1} bytes (Processing:MaxImageBytes)")));
        Assert.That(_server.RequestCount(path) - before, Is.EqualTo(1));
    }

    [Test]
    public async Task DownloadAsync_WhenContentLengthEqualsLimit_Succeeds()
    {
        var expected = TestImages.Png(101, 100);
        var options = DownloadStack.Options(allowPrivateNetworks: true);
        options.MaxImageBytes = expected.Length;
        using var stack = new DownloadStack(options);

        var download = await stack.Downloader.DownloadAsync(_server.Url("/img/101x100.png"), CancellationToken.None);

        Assert.That(download.Size, Is.EqualTo(new ImageSize(101, 100)));
        Assert.That(download.Bytes, Is.EqualTo(expected.Length));
    }

    [Test]
    public async Task DownloadAsync_WhenResponseIsSlowerThanTheTimeout_FailsNamingTheTimeoutSetting()
    {
        var options = DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 1);
        options.DownloadTimeoutSeconds = 1;
        using var stack = new DownloadStack(options);
        const string path = "/slow/30000/10x10.png";
        var before = _server.RequestCount(path);

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(_server.Url(path), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Does.StartWith("timed out").And.Contain("Processing:DownloadTimeoutSeconds"));
        Assert.That(_server.RequestCount(path) - before, Is.EqualTo(1));
    }

    [Test]
    public async Task DownloadAsync_WhenRedirectChainIsLongerThanMaxRedirects_FailsNamingTheSetting()
    {
        var options = DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 3);
        options.MaxRedirects = 2;
        using var stack = new DownloadStack(options);
        var url = RedirectChain(hops: 3, _server.Url("/img/9x9.png"));
        var redirectsBefore = _server.RequestCount("/redirect");
        var imagesBefore = _server.RequestCount("/img/9x9.png");

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(url, CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo("HTTP 302: more than 2 redirects (Processing:MaxRedirects)"));
        Assert.That(_server.RequestCount("/redirect") - redirectsBefore, Is.EqualTo(3));
        Assert.That(_server.RequestCount("/img/9x9.png") - imagesBefore, Is.Zero);
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(3), "one request per hop");
        Assert.That(stack.Attempts, Is.EqualTo(3), "too many redirects is permanent: no hop is retried");
    }

    [Test]
    public async Task DownloadAsync_WhenRedirectChainIsExactlyMaxRedirects_FollowsItToTheImage()
    {
        var options = DownloadStack.Options(allowPrivateNetworks: true);
        options.MaxRedirects = 2;
        using var stack = new DownloadStack(options);
        var url = RedirectChain(hops: 2, _server.Url("/img/9x8.png"));

        var download = await stack.Downloader.DownloadAsync(url, CancellationToken.None);

        Assert.That(download.Size, Is.EqualTo(new ImageSize(9, 8)));
    }

    [Test]
    public async Task DownloadAsync_WhenTwoRedirectsLeadToAnImage_CountsOneAttemptPerHopAndNoLastError()
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 3));
        var url = RedirectChain(hops: 2, _server.Url("/img/19x8.png"));
        var redirectsBefore = _server.RequestCount("/redirect");
        var imagesBefore = _server.RequestCount("/img/19x8.png");

        var download = await stack.Downloader.DownloadAsync(url, CancellationToken.None);

        Assert.That(download.Size, Is.EqualTo(new ImageSize(19, 8)));
        Assert.That(download.Attempts, Is.EqualTo(3));
        Assert.That(download.LastError, Is.Null, "a redirect is not a failed attempt");
        Assert.That(_server.RequestCount("/redirect") - redirectsBefore, Is.EqualTo(2));
        Assert.That(_server.RequestCount("/img/19x8.png") - imagesBefore, Is.EqualTo(1));
    }

    [Test]
    public async Task DownloadAsync_WhenRedirectLocationIsRelative_ResolvesItAgainstTheHop()
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true));
        var url = _server.Url($"/redirect?to={Uri.EscapeDataString("/img/17x5.png")}");

        var download = await stack.Downloader.DownloadAsync(url, CancellationToken.None);

        Assert.That(download.Size, Is.EqualTo(new ImageSize(17, 5)));
        Assert.That(download.Attempts, Is.EqualTo(2));
    }

    [Test]
    public async Task DownloadAsync_WhenMaxRedirectsIsZero_RefusesTheFirstRedirect()
    {
        var options = DownloadStack.Options(allowPrivateNetworks: true);
        options.MaxRedirects = 0;
        using var stack = new DownloadStack(options);
        var url = RedirectChain(hops: 1, _server.Url("/img/9x7.png"));
        var imagesBefore = _server.RequestCount("/img/9x7.png");

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(url, CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo("HTTP 302: more than 0 redirects (Processing:MaxRedirects)"));
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(1));
        Assert.That(_server.RequestCount("/img/9x7.png") - imagesBefore, Is.Zero);
    }

    [Test]
    public async Task DownloadAsync_WhenRedirectTargetIsAnImage_FollowsTheRedirect()
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true));
        var url = RedirectChain(hops: 1, _server.Url("/img/13x11.gif"));

        var download = await stack.Downloader.DownloadAsync(url, CancellationToken.None);

        Assert.That(download.Size, Is.EqualTo(new ImageSize(13, 11)));
        Assert.That(download.Attempts, Is.EqualTo(2), "each hop is its own request");
        Assert.That(stack.Attempts, Is.EqualTo(2));
    }

    // Redirects are followed by the downloader, one request per hop, so the resilience handler
    // retries the hop that failed: /redirect is fetched once and the failing target MaxAttempts times.
    [Test]
    public async Task DownloadAsync_WhenRedirectTargetFailsTransiently_RetriesTheFailingHopOnly()
    {
        const int maxAttempts = 3;
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts));
        var url = RedirectChain(hops: 1, _server.Url("/status/502"));
        var redirectsBefore = _server.RequestCount("/redirect");
        var targetBefore = _server.RequestCount("/status/502");

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(url, CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo("HTTP 502"));
        Assert.That(_server.RequestCount("/status/502") - targetBefore, Is.EqualTo(maxAttempts));
        Assert.That(_server.RequestCount("/redirect") - redirectsBefore, Is.EqualTo(1), "the hop that succeeded is not repeated");
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(1 + maxAttempts));
    }

    [Test]
    public async Task DownloadAsync_WhenRedirectTargetFailsOnceThenServesTheImage_ReportsEveryAttemptAndTheLastError()
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 3));
        var target = $"/flaky/{Guid.NewGuid():N}/1/15x6.png";
        var url = RedirectChain(hops: 1, _server.Url(target));
        var redirectsBefore = _server.RequestCount("/redirect");

        var download = await stack.Downloader.DownloadAsync(url, CancellationToken.None);

        Assert.That(download.Size, Is.EqualTo(new ImageSize(15, 6)));
        Assert.That(_server.RequestCount(target), Is.EqualTo(2));
        Assert.That(_server.RequestCount("/redirect") - redirectsBefore, Is.EqualTo(1));
        Assert.That((download.Attempts, download.LastError), Is.EqualTo((3, (string?)"HTTP 503")));
    }

    // Only http and https targets are followed: a redirect elsewhere fails at once, naming the scheme.
    [Test]
    public async Task DownloadAsync_WhenRedirectIsToAnotherScheme_FailsNamingTheScheme()
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 2));
        var url = RedirectChain(hops: 1, new Uri($"ftp://127.0.0.1:{UnusedLoopbackPort()}/image.png"));
        var redirectsBefore = _server.RequestCount("/redirect");

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(url, CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo("HTTP 302: redirect to 'ftp:', which is not http or https"));
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(1));
        Assert.That(_server.RequestCount("/redirect") - redirectsBefore, Is.EqualTo(1), "a redirect to another scheme is permanent");
    }

    // A 3xx that is not a redirect to follow (304, 300, a 301 without Location) fails as its status,
    // after one request, without blaming Processing:MaxRedirects.
    [TestCase(304)]
    [TestCase(300)]
    [TestCase(301)]
    public async Task DownloadAsync_WhenResponseIs3xxThatIsNotFollowed_DoesNotBlameMaxRedirects(int status)
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true));
        var path = $"/status/{status}";
        var before = _server.RequestCount(path);

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(_server.Url(path), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Does.StartWith(string.Create(CultureInfo.InvariantCulture, $"HTTP {status}")));
        Assert.That(error.Message, Does.Not.Contain("Processing:MaxRedirects"));
        Assert.That(_server.RequestCount(path) - before, Is.EqualTo(1));
    }

    [Test]
    public async Task DownloadAsync_WhenTokenIsAlreadyCancelled_ThrowsOperationCanceled()
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var before = _server.TotalRequests;

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(_server.Url("/img/10x10.png"), cts.Token));

        Assert.That(error, Is.InstanceOf<OperationCanceledException>());
        Assert.That(_server.TotalRequests, Is.EqualTo(before));
    }

    [Test]
    public async Task DownloadAsync_WhenTokenIsCancelledWhileWaiting_ThrowsOperationCanceled()
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true));
        using var cts = new CancellationTokenSource();
        var path = $"/slow/30000/{Random.Shared.Next(11, 99)}x10.png";
        var before = _server.RequestCount(path);
        var download = stack.Downloader.DownloadAsync(_server.Url(path), cts.Token);
        await WaitUntilAsync(() => _server.RequestCount(path) > before);

        await cts.CancelAsync();
        var error = await DownloadStack.CatchAsync(() => download);

        Assert.That(error, Is.InstanceOf<OperationCanceledException>());
        Assert.That(stack.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task DownloadAsync_WhenTokenIsCancelledDuringRetryBackoff_ThrowsOperationCanceled()
    {
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 3));
        using var cts = new CancellationTokenSource();
        var path = $"/flaky/{Guid.NewGuid():N}/1000/5x5.png";
        var download = stack.Downloader.DownloadAsync(_server.Url(path), cts.Token);
        await WaitUntilAsync(() => _server.RequestCount(path) >= 1);

        await cts.CancelAsync();
        var error = await DownloadStack.CatchAsync(() => download);

        Assert.That(error, Is.InstanceOf<OperationCanceledException>());
    }

    /// <summary>/redirect?to=…/redirect?to=…target, each inner URL escaped once more.</summary>
    private Uri RedirectChain(int hops, Uri target)
    {
        var url = target.AbsoluteUri;
        for (var i = 0; i < hops; i++)
        {
            url = _server.Url($"/redirect?to={Uri.EscapeDataString(url)}").AbsoluteUri;
        }

        return new Uri(url);
    }

    private static int UnusedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var give = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(10, give.Token);
        }
    }
}
