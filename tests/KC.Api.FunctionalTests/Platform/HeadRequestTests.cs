using System.Net;
using System.Net.Sockets;
using System.Text;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;

namespace KC.Api.FunctionalTests.Platform;

/// <summary>
/// HEAD answers wherever GET does, with the GET's status and headers and no body, on the real
/// process: Kestrel, not the test host, is what leaves the body out.
/// </summary>
public sealed class HeadRequestTests
{
    private TestDatabase _database = null!;
    private ServiceProcess _service = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _service = await ServiceProcess.StartAsync(_database.ConnectionString, _database.Settings);
        _client = _service.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _service.DisposeAsync();
        await _database.DisposeAsync();
    }

    [TestCase("/api/jobs", "application/json")]
    [TestCase("/api/status?jobid=1", "application/json")]
    [TestCase("/dashboard", "text/html")]
    [TestCase("/openapi/v1.json", "application/json")]
    public async Task Head_WhenGetAnswers_AnswersWithTheGetsStatusAndContentType(string path, string mediaType)
    {
        using var get = await _client.GetAsync(new Uri(path, UriKind.Relative));
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(path, UriKind.Relative)));

        Assert.Multiple(() =>
        {
            Assert.That(head.StatusCode, Is.EqualTo(get.StatusCode));
            Assert.That(head.Content.Headers.ContentType?.MediaType, Is.EqualTo(mediaType));
            Assert.That(get.Content.Headers.ContentType?.MediaType, Is.EqualTo(mediaType));
        });
    }

    [Test]
    public async Task Head_WhenOnlyPostAnswers_IsRefusedNamingPost()
    {
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri("/api/submit", UriKind.Relative)));

        Assert.That((head.StatusCode, string.Join(",", head.Content.Headers.Allow)), Is.EqualTo((HttpStatusCode.MethodNotAllowed, "POST")));
    }

    [Test]
    public async Task Head_OnTheWire_SendsTheHeadersAndNoBody()
    {
        // HttpClient would drop a body sent to a HEAD by itself; a raw socket sees what Kestrel sends.
        using var socket = new TcpClient();
        await socket.ConnectAsync(_service.BaseAddress.Host, _service.BaseAddress.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HEAD /api/jobs HTTP/1.1\r\nHost: {_service.BaseAddress.Authority}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);

        var response = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));

        var endOfHeaders = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(response, Does.StartWith("HTTP/1.1 200 OK\r\n"));
            Assert.That(endOfHeaders, Is.GreaterThan(0));
            Assert.That(response[(endOfHeaders + 4)..], Is.Empty, "nothing after the headers");
        });
    }
}
