using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.TestSupport;

namespace KC.Infrastructure.IntegrationTests.Downloads;

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
    public async Task DownloadAsync_WhenBodyWithoutContentLengthFitsTheLimitExactly_ReturnsIt()
    {
        var body = TestImages.Png(200, 150);
        await using var raw = RawHttpServer.UntilClose(body);
        var options = DownloadStack.Options(allowPrivateNetworks: true);
        options.MaxImageBytes = body.Length;
        using var stack = new DownloadStack(options);

        var download = await stack.Downloader.DownloadAsync(raw.Url("/image.png"), CancellationToken.None);

        Assert.That(download.Content, Is.EqualTo(body));
        Assert.That(stack.Measurer.Measure(download.Content), Is.EqualTo(new ImageSize(200, 150)));
    }

    [Test]
    public async Task DownloadAsync_WhenBodyWithoutContentLengthIsLargerThanTheFirstBuffer_ReturnsItWhole()
    {
        var body = TestImages.Bmp(300, 300);
        await using var raw = RawHttpServer.UntilClose(body);
        using var stack = new DownloadStack(DownloadStack.Options(allowPrivateNetworks: true));

        var download = await stack.Downloader.DownloadAsync(raw.Url("/image.bmp"), CancellationToken.None);

        Assert.That(body, Has.Length.GreaterThan(64 * 1024), "the body must outgrow the first buffer");
        Assert.That(download.Content, Is.EqualTo(body));
    }

    [Test]
    public async Task DownloadAsync_WhenLimitExceedsTheLargestArray_CapsItAndStillReturnsTheBodyWhole()
    {
        var body = TestImages.Bmp(300, 300);
        await using var raw = RawHttpServer.UntilClose(body);
        var options = DownloadStack.Options(allowPrivateNetworks: true, maxAttempts: 1);
        options.MaxImageBytes = long.MaxValue;
        using var stack = new DownloadStack(options);

        var download = await stack.Downloader.DownloadAsync(raw.Url("/image.bmp"), CancellationToken.None);

        Assert.That(download.Content, Is.EqualTo(body));
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
