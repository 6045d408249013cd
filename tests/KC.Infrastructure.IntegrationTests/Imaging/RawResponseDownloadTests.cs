using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.TestSupport;

namespace KC.Infrastructure.IntegrationTests.Imaging;

/// <summary>
/// The real download stack against hand-written HTTP responses on loopback, for what Kestrel will
/// not send: bodies without a Content-Length, bodies shorter than declared, stalls mid-body,
/// connections closed before any response, and nothing listening at all.
/// </summary>
[TestFixture]
public sealed class RawResponseDownloadTests
{
    [Test]
    public async Task DownloadAsync_WhenBodyWithoutContentLengthExceedsLimit_FailsNamingTheLimit()
    {
        var body = TestImages.Png(200, 150);
        await using var raw = RawHttpServer.UntilClose(body);
        var options = DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 3);
        options.MaxImageBytes = body.Length - 1;
        using var stack = new DownloadStack(options);

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(raw.Url("/image.png"), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo(string.Create(
            CultureInfo.InvariantCulture,
            $"the body exceeds the limit of {body.Length - 1} bytes (Processing:MaxImageBytes)")));
        Assert.That(raw.Connections, Is.EqualTo(1), "a body over the limit is permanent, not retried");
    }

    [Test]
    public async Task DownloadAsync_WhenBodyWithoutContentLengthFitsTheLimitExactly_MeasuresIt()
    {
        var body = TestImages.Png(200, 150);
        await using var raw = RawHttpServer.UntilClose(body);
        var options = DownloadStack.Options(allowPrivateNetworks: true);
        options.MaxImageBytes = body.Length;
        using var stack = new DownloadStack(options);

        var download = await stack.Downloader.DownloadAsync(raw.Url("/image.png"), CancellationToken.None);

        Assert.That(download.Size, Is.EqualTo(new ImageSize(200, 150)));
        Assert.That(download.Bytes, Is.EqualTo(body.Length));
    }

    [Test]
    public async Task DownloadAsync_WhenBodyWithoutContentLengthIsLargerThanOneRead_CountsItWhole()
    {
        var body = TestImages.Bmp(300, 300);
        await using var raw = RawHttpServer.UntilClose(body);
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true));

        var download = await stack.Downloader.DownloadAsync(raw.Url("/image.bmp"), CancellationToken.None);

        Assert.That(body, Has.Length.GreaterThan(64 * 1024), "the body must outgrow one read");
        Assert.That(download.Size, Is.EqualTo(new ImageSize(300, 300)));
        Assert.That(download.Bytes, Is.EqualTo(body.Length));
    }

    [Test]
    public async Task DownloadAsync_WhenLimitExceedsTheLargestArray_StillCountsTheBodyWhole()
    {
        var body = TestImages.Bmp(300, 300);
        await using var raw = RawHttpServer.UntilClose(body);
        var options = DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 1);
        options.MaxImageBytes = long.MaxValue;
        using var stack = new DownloadStack(options);

        var download = await stack.Downloader.DownloadAsync(raw.Url("/image.bmp"), CancellationToken.None);

        Assert.That(download.Bytes, Is.EqualTo(body.Length));
    }

    [Test]
    public async Task DownloadAsync_WhenBodyIsShorterThanDeclared_RetriesThenFailsAsCutOff()
    {
        var body = TestImages.Png(50, 50);
        await using var raw = RawHttpServer.Declaring(body.Length + 1000, body);
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 2));

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(raw.Url("/image.png"), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Does.StartWith("the connection closed before the whole body arrived, 2 attempts"));
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(2));
        Assert.That(raw.Connections, Is.EqualTo(2));
    }

    [Test]
    public async Task DownloadAsync_WhenBodyIsCutInsideTheHeader_RetriesThenFailsAsCutOff()
    {
        var image = TestImages.Png(50, 50);
        await using var raw = RawHttpServer.Declaring(image.Length, image.AsSpan(0, 20).ToArray());
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 2));

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(raw.Url("/image.png"), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Does.StartWith("the connection closed before the whole body arrived, 2 attempts"));
        Assert.That(raw.Connections, Is.EqualTo(2));
    }

    [Test]
    public async Task DownloadAsync_WhenBodyIsCutAfterTheHeader_RetriesThenFailsAsCutOff()
    {
        // The size is known from the first bytes, but the image is not all there: it still fails.
        var image = TestImages.Bmp(300, 300);
        await using var raw = RawHttpServer.Declaring(image.Length, image.AsSpan(0, image.Length / 2).ToArray());
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 2));

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(raw.Url("/image.bmp"), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Does.StartWith("the connection closed before the whole body arrived, 2 attempts"));
        Assert.That(raw.Connections, Is.EqualTo(2));
    }

    [Test]
    public async Task DownloadAsync_WhenMoreBytesFollowTheDeclaredLength_CountsOnlyTheDeclaredBody()
    {
        // HTTP ends the body at its Content-Length; what follows is not part of the image.
        var image = TestImages.Bmp(200, 100);
        await using var raw = RawHttpServer.Declaring(image.Length, [.. image, .. new byte[10_000]]);
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 1));

        var download = await stack.Downloader.DownloadAsync(raw.Url("/image.bmp"), CancellationToken.None);

        Assert.That(download.Size, Is.EqualTo(new ImageSize(200, 100)));
        Assert.That(download.Bytes, Is.EqualTo(image.Length));
    }

    [Test]
    public async Task DownloadAsync_WhenAnEndlessBodyCrossesTheLimit_FailsWithoutReadingOn()
    {
        // Were the rest of the body read, this download would never end.
        await using var raw = RawHttpServer.Endless(TestImages.Png(64, 64));
        var options = DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 3);
        options.MaxImageBytes = 1_000_000;
        using var stack = new DownloadStack(options);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(raw.Url("/image.png"), guard.Token));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo("the body exceeds the limit of 1000000 bytes (Processing:MaxImageBytes)"));
        Assert.That(raw.Connections, Is.EqualTo(1));
    }

    [Test]
    public async Task DownloadAsync_WhenImageIsNearTheLimit_AllocatesWellUnderOneMiB()
    {
        // A 25 MiB body streams through borrowed buffers; only the size comes back.
        var image = TestImages.Bmp(2560, 3400);
        await using var raw = RawHttpServer.Declaring(image.Length, image);
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 1));
        await stack.Downloader.DownloadAsync(raw.Url("/warm-up.bmp"), CancellationToken.None);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var download = await stack.Downloader.DownloadAsync(raw.Url("/image.bmp"), CancellationToken.None);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        TestContext.Out.WriteLine($"one download of {image.Length:#,0} bytes allocated {allocated:#,0} bytes");
        Assert.That(download.Bytes, Is.EqualTo(image.Length).And.GreaterThan(25_000_000));
        Assert.That(allocated, Is.LessThan(256 * 1024), $"{allocated:#,0} bytes allocated for one download");
    }

    [Test]
    public async Task DownloadAsync_WhenRetryAfterOutlastsTheDownload_FailsAtOnceNamingTheStatusAndTheWait()
    {
        await using var raw = RawHttpServer.Answering("HTTP/1.1 429 Too Many Requests\nRetry-After: 86400\nContent-Length: 0\nConnection: close\n", []);
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 3));

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(raw.Url("/image.png"), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Does.StartWith("HTTP 429: the host asks to retry after 86400 s (Retry-After), longer than the ")
            .And.EndWith(" s this download has left"));
        Assert.That(raw.Connections, Is.EqualTo(1), "a wait the download cannot outlive is not waited for");
    }

    [Test]
    public async Task DownloadAsync_WhenRetryAfterFitsTheDownload_WaitsAndRetries()
    {
        await using var raw = RawHttpServer.Answering("HTTP/1.1 503 Service Unavailable\nRetry-After: 1\nContent-Length: 0\nConnection: close\n", []);
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 2));

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(raw.Url("/image.png"), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>().With.Message.EqualTo("HTTP 503"));
        Assert.That(raw.Connections, Is.EqualTo(2));
    }

    [Test]
    public async Task DownloadAsync_WhenConnectionClosesBeforeAnyResponse_RetriesThenFails()
    {
        await using var raw = RawHttpServer.Silent();
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 2));

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(raw.Url("/image.png"), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo("the connection closed before the whole response arrived"));
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(2));
        Assert.That(stack.Attempts, Is.EqualTo(2));
    }

    [Test]
    public async Task DownloadAsync_WhenNothingListens_RetriesThenFailsAsConnectionError()
    {
        var port = UnusedLoopbackPort();
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 2));

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(new Uri($"http://127.0.0.1:{port}/image.png"), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Does.StartWith("could not connect"));
        Assert.That(((ImageFailureException)error).Attempts, Is.EqualTo(2));
        Assert.That(stack.Attempts, Is.EqualTo(2));
    }

    [Test]
    public async Task DownloadAsync_WhenBodyStallsAfterTheHeaders_FailsWithTheOverallTimeout()
    {
        var body = TestImages.Png(50, 50);
        await using var raw = RawHttpServer.Stalling(body.Length, body.AsSpan(0, body.Length / 2).ToArray());
        var options = DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 1);
        options.DownloadTimeoutSeconds = 1;
        using var stack = new DownloadStack(options);

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(raw.Url("/image.png"), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Does.StartWith("timed out").And.Contain("Processing:DownloadTimeoutSeconds"));
        Assert.That(raw.Connections, Is.EqualTo(1));
    }

    [Test]
    public async Task DownloadAsync_WhenTokenIsCancelledMidBody_ThrowsOperationCanceled()
    {
        var body = TestImages.Png(50, 50);
        await using var raw = RawHttpServer.Stalling(body.Length, body.AsSpan(0, body.Length / 2).ToArray());
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 1));
        using var cts = new CancellationTokenSource();
        var download = stack.Downloader.DownloadAsync(raw.Url("/image.png"), cts.Token);
        await WaitUntilAsync(() => stack.Logs.Entries.Any(e => e.EventId.Name == "RequestEnd"));

        await cts.CancelAsync();
        var error = await DownloadStack.CatchAsync(() => download);

        Assert.That(error, Is.InstanceOf<OperationCanceledException>());
    }

    // A Processing:MaxImageBytes of 2 GiB or more is capped at the largest array, and the first
    // buffer is at most 64 KiB whatever the declared length: nothing overflows, and the short body
    // fails as cut off rather than with an ArgumentOutOfRangeException from the buffer pool.
    [TestCase(2_147_483_647L, 2_147_483_647L)]
    [TestCase(5_000_000_000L, 3_000_000_000L)]
    public async Task DownloadAsync_WhenDeclaredLengthExceedsAnArrayButNotTheLimit_FailsAsAnImageFailure(long limit, long declared)
    {
        await using var raw = RawHttpServer.Declaring(declared, TestImages.Png(8, 8));
        var options = DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 1);
        options.MaxImageBytes = limit;
        using var stack = new DownloadStack(options);

        var error = await DownloadStack.CatchAsync(() => stack.Downloader.DownloadAsync(raw.Url("/image.png"), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
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
