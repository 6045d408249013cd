using System.Net;
using KC.TestSupport;
using SkiaSharp;

namespace KC.Infrastructure.IntegrationTests.TestSupport;

[TestFixture]
public sealed class TestImageServerTests
{
    private TestImageServer _server = null!;
    private HttpClient _client = null!;

    private static IEnumerable<TestCaseData> FormatsAndSizes() =>
        from format in Enum.GetValues<TestImageFormat>()
        from size in new[] { (Width: 640, Height: 480), (Width: 33, Height: 17) }
        select new TestCaseData(format, size.Width, size.Height).SetArgDisplayNames(format.ToString(), $"{size.Width}x{size.Height}");

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await TestImageServer.StartAsync();
        _client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public void StartAsync_WhenStarted_ListensOnARandomLoopbackPort()
    {
        var address = _server.BaseAddress;

        Assert.That(address.Host, Is.EqualTo("127.0.0.1"));
        Assert.That(address.Port, Is.GreaterThan(0));
        Assert.That(_server.Url("/img/1x1.png").AbsoluteUri, Is.EqualTo($"http://127.0.0.1:{address.Port}/img/1x1.png"));
    }

    [TestCaseSource(nameof(FormatsAndSizes))]
    public async Task GetImage_WhenFormatAndSizeRequested_ServesAnImageThatDecodesToThatSize(TestImageFormat format, int width, int height)
    {
        var url = _server.Url($"/img/{width}x{height}.{TestImages.Extension(format)}");

        using var response = await _client.GetAsync(url);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(TestImages.ContentType(format)));
        Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(body.Length));
        Assert.That(Measure(body), Is.EqualTo(new SKSizeI(width, height)));
    }

    [Test]
    public async Task GetImage_WhenRequestedTwice_ServesIdenticalBytes()
    {
        var url = _server.Url("/img/50x40.webp");

        var first = await _client.GetByteArrayAsync(url);
        var second = await _client.GetByteArrayAsync(url);

        Assert.That(second, Is.EqualTo(first));
    }

    [TestCase("/img/640x480.tiff")]
    [TestCase("/img/0x10.png")]
    [TestCase("/img/640by480.png")]
    [TestCase("/no/such/route")]
    public async Task Get_WhenPathIsUnknown_Returns404(string path)
    {
        using var response = await _client.GetAsync(_server.Url(path));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase(404)]
    [TestCase(500)]
    [TestCase(429)]
    public async Task GetStatus_WhenCodeRequested_RespondsWithThatCodeAndABody(int code)
    {
        using var response = await _client.GetAsync(_server.Url($"/status/{code}"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(code));
        Assert.That(body, Does.Contain(code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task GetFlaky_WhenFailuresRemain_Returns503ThenTheImage()
    {
        var path = $"/flaky/{Guid.NewGuid():N}/2/64x48.png";
        var url = _server.Url(path);

        var statuses = new List<HttpStatusCode>();
        byte[] last = [];
        for (var i = 0; i < 4; i++)
        {
            using var response = await _client.GetAsync(url);
            statuses.Add(response.StatusCode);
            last = await response.Content.ReadAsByteArrayAsync();
        }

        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK, HttpStatusCode.OK }));
        Assert.That(Measure(last), Is.EqualTo(new SKSizeI(64, 48)));
        Assert.That(_server.RequestCount(path), Is.EqualTo(4));
    }

    [Test]
    public async Task GetFlaky_WhenKeysDiffer_CountsFailuresPerKey()
    {
        var first = _server.Url($"/flaky/{Guid.NewGuid():N}/1/8x8.png");
        var second = _server.Url($"/flaky/{Guid.NewGuid():N}/1/8x8.png");

        using var firstAttempt = await _client.GetAsync(first);
        using var secondAttempt = await _client.GetAsync(second);

        Assert.That(firstAttempt.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(secondAttempt.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
    }

    [Test]
    public async Task GetCutOff_WhenHeadersArrive_DeclaresTheFullLengthButTheBodyEndsEarly()
    {
        var expectedLength = TestImages.Jpeg(640, 480).Length;
        using var response = await _client.GetAsync(_server.Url("/cut-off/640x480.jpg"), HttpCompletionOption.ResponseHeadersRead);

        var thrown = Assert.CatchAsync(async () => await response.Content.ReadAsByteArrayAsync());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(expectedLength));
        Assert.That(thrown, Is.InstanceOf<HttpRequestException>().Or.InstanceOf<IOException>());
    }

    [Test]
    public void GetCutOff_WhenWholeBodyIsRead_ClientThrows()
    {
        var url = _server.Url("/cut-off/640x480.jpg");

        var thrown = Assert.CatchAsync(async () => await _client.GetByteArrayAsync(url));

        Assert.That(thrown, Is.InstanceOf<HttpRequestException>().Or.InstanceOf<IOException>());
    }

    [Test]
    public async Task GetTruncatedHeader_WhenDecoded_IsNotRecognised()
    {
        using var response = await _client.GetAsync(_server.Url("/truncated-header.png"));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/png"));
        Assert.That(body, Has.Length.LessThanOrEqualTo(12));
        Assert.That(Measure(body), Is.Null);
    }

    [Test]
    public async Task GetNotAnImage_WhenDecoded_IsNotRecognised()
    {
        using var response = await _client.GetAsync(_server.Url("/not-an-image"));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(Measure(body), Is.Null);
    }

    [Test]
    public async Task GetSlow_WhenDelayIsShort_ServesTheImageAfterTheDelay()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();

        var body = await _client.GetByteArrayAsync(_server.Url("/slow/200/20x10.png"));

        Assert.That(started.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(190)));
        Assert.That(Measure(body), Is.EqualTo(new SKSizeI(20, 10)));
    }

    [Test]
    public async Task GetSlow_WhenClientGivesUpFirst_ClientTimesOutAndServerStaysUsable()
    {
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(200) };

        var thrown = Assert.CatchAsync(async () => await impatient.GetByteArrayAsync(_server.Url("/slow/10000/20x10.png")));
        using var next = await _client.GetAsync(_server.Url("/img/20x10.png"));

        Assert.That(thrown, Is.InstanceOf<TaskCanceledException>());
        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task GetRedirect_WhenNotFollowed_Returns302WithTheTarget()
    {
        var target = _server.Url("/img/30x20.gif");
        using var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        using var client = new HttpClient(handler);

        using var response = await client.GetAsync(_server.Url($"/redirect?to={Uri.EscapeDataString(target.AbsoluteUri)}"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Found));
        Assert.That(response.Headers.Location, Is.EqualTo(target));
    }

    [Test]
    public async Task GetRedirect_WhenFollowed_ServesTheTargetImage()
    {
        var target = _server.Url("/img/30x20.gif");

        var body = await _client.GetByteArrayAsync(_server.Url($"/redirect?to={Uri.EscapeDataString(target.AbsoluteUri)}"));

        Assert.That(Measure(body), Is.EqualTo(new SKSizeI(30, 20)));
    }

    [Test]
    public async Task RequestCount_WhenPathRequestedWithAndWithoutQuery_CountsByPathOnly()
    {
        var before = _server.TotalRequests;

        using (await _client.GetAsync(_server.Url("/img/11x7.bmp")))
        using (await _client.GetAsync(_server.Url("/img/11x7.bmp?attempt=2")))
        using (await _client.GetAsync(_server.Url("/img/7x11.bmp")))
        {
        }

        Assert.That(_server.RequestCount("/img/11x7.bmp"), Is.EqualTo(2));
        Assert.That(_server.RequestCount("/img/7x11.bmp"), Is.EqualTo(1));
        Assert.That(_server.RequestCount("/img/1x1.bmp"), Is.Zero);
        Assert.That(_server.TotalRequests - before, Is.EqualTo(3));
    }

    [Test]
    public async Task GetFile_WhenAdded_ServesItsBytesWithItsTypeAndLength()
    {
        var photo = TestPhotos.Jpeg(320, 240, progressive: true, seed: 3);
        var url = _server.AddFile($"{Guid.NewGuid():N}.jpg", photo, "image/jpeg");

        using var response = await _client.GetAsync(new Uri(url, "?n=17"));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/jpeg"));
        Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(photo.Length));
        Assert.That(body, Is.EqualTo(photo));
        Assert.That(url.AbsolutePath, Does.StartWith("/files/"));
    }

    [Test]
    public async Task GetFile_WhenLargerThanOneWrite_ServesEveryByteInOrder()
    {
        var body = new byte[(3 * 64 * 1024) + 7];
        new Random(11).NextBytes(body);
        var url = _server.AddFile($"{Guid.NewGuid():N}.bin", body, "application/octet-stream");

        using var response = await _client.GetAsync(url);
        var received = await response.Content.ReadAsByteArrayAsync();

        Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(body.Length));
        Assert.That(received, Is.EqualTo(body));
    }

    [Test]
    public async Task GetFile_WhenAddedAgainUnderTheSameName_ServesTheNewBytes()
    {
        var name = $"{Guid.NewGuid():N}.png";
        _server.AddFile(name, TestPhotos.Png(40, 30, seed: 1), "image/png");
        var replacement = TestPhotos.Png(30, 40, seed: 2);
        var url = _server.AddFile(name, replacement, "image/png");

        var body = await _client.GetByteArrayAsync(url);

        Assert.That(body, Is.EqualTo(replacement));
        Assert.That(Measure(body), Is.EqualTo(new SKSizeI(30, 40)));
    }

    [Test]
    public async Task GetFile_WhenNeverAdded_Returns404()
    {
        using var response = await _client.GetAsync(_server.Url($"/files/{Guid.NewGuid():N}.jpg"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase("a/b.jpg")]
    [TestCase("photo?.jpg")]
    [TestCase("..")]
    [TestCase("")]
    public void AddFile_WhenNameIsNotOnePathSegment_ThrowsNamingTheParameter(string name)
    {
        void Act() => _server.AddFile(name, [1, 2, 3], "image/jpeg");

        Assert.That(Act, Throws.ArgumentException.With.Property("ParamName").EqualTo("name"));
    }

    private static SKSizeI? Measure(byte[] body)
    {
        using var data = SKData.CreateCopy(body);
        using var codec = SKCodec.Create(data);
        return codec is null ? null : new SKSizeI(codec.Info.Width, codec.Info.Height);
    }
}
