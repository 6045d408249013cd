using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace KC.TestSupport;

/// <summary>
/// A real Kestrel server on a random loopback port that serves generated images and the ways
/// image hosts misbehave, so download code is tested over real sockets rather than a fake handler.
/// </summary>
/// <remarks>
/// Routes:
/// <c>/img/{w}x{h}.{jpg|png|webp|gif|bmp}</c>, <c>/status/{code}</c>, <c>/not-an-image</c>,
/// <c>/truncated-header.png</c>, <c>/cut-off/{w}x{h}.jpg</c>, <c>/flaky/{key}/{failures}/{w}x{h}.png</c>,
/// <c>/slow/{ms}/{w}x{h}.png</c>, <c>/redirect?to={url}</c>, and <c>/files/{name}</c> for the bytes
/// given to <see cref="AddFile"/> (served as they are, with their Content-Length; any query string is ignored).
/// </remarks>
public sealed class TestImageServer : IAsyncDisposable
{
    // Keeps a mistyped size from making a test allocate gigabytes.
    private const long MaxPixels = 50_000_000;

    // Kestrel's default response buffer: a write this size is on its way before the next is copied.
    private const int FileWriteBytes = 64 * 1024;

    private static readonly TimeSpan CutOffGrace = TimeSpan.FromMilliseconds(100);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<(int Width, int Height, TestImageFormat Format), byte[]> _images = new();
    private readonly ConcurrentDictionary<string, (byte[] Body, string ContentType)> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _flakyAttempts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requestsByPath = new(StringComparer.Ordinal);
    private int _totalRequests;
    private int _requestsInFlight;
    private int _peakRequestsInFlight;

    private TestImageServer()
    {
        _app = LoopbackServer.Build();

        // Counted before routing, so a request shows in the log even while its handler still runs.
        _app.Use(async (context, next) =>
        {
            Record(context.Request.Path.Value ?? string.Empty);
            var inFlight = Interlocked.Increment(ref _requestsInFlight);
            InterlockedMax(ref _peakRequestsInFlight, inFlight);
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _requestsInFlight);
            }
        });
        _app.UseRouting();

        _app.MapGet("/img/{file}", ServeImageAsync);
        _app.MapGet("/status/{code}", ServeStatusAsync);
        _app.MapGet("/not-an-image", context => WriteAsync(context, "text/html; charset=utf-8", TestImages.NotAnImage()));
        _app.MapGet("/truncated-header.png", context => WriteAsync(context, "image/png", TestImages.TruncatedHeader(TestImageFormat.Png)));
        _app.MapGet("/cut-off/{file}", ServeCutOffAsync);
        _app.MapGet("/flaky/{key}/{failures}/{file}", ServeFlakyAsync);
        _app.MapGet("/slow/{ms}/{file}", ServeSlowAsync);
        _app.MapGet("/redirect", ServeRedirect);
        _app.MapGet("/files/{name}", ServeFileAsync);
    }

    /// <summary>The server root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public int TotalRequests => Volatile.Read(ref _totalRequests);

    /// <summary>The most requests this server was answering at one moment; over HTTP/1.1, the most connections a client used at once.</summary>
    public int PeakRequestsInFlight => Volatile.Read(ref _peakRequestsInFlight);

    public static async Task<TestImageServer> StartAsync()
    {
        var server = new TestImageServer();
        try
        {
            server.BaseAddress = await LoopbackServer.StartAsync(server._app).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>An absolute URL on this server; <paramref name="pathAndQuery"/> may start with '/' or not.</summary>
    public Uri Url(string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        return new Uri(BaseAddress, pathAndQuery.TrimStart('/'));
    }

    /// <summary>
    /// Serves <paramref name="body"/> at <c>/files/{name}</c> from now on, replacing any file of
    /// that name, and returns its URL. The array is kept, not copied, and written as it is to
    /// every request, so the caller must not change it afterwards.
    /// </summary>
    /// <param name="name">One path segment of letters, digits, '-', '_' and '.', e.g. <c>shelf-8mp.jpg</c>.</param>
    public Uri AddFile(string name, byte[] body, string contentType)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        if (name is "." or ".." || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"'{name}' is not a file name of letters, digits, '-', '_' and '.'.", nameof(name));
        }

        _files[name] = (body, contentType);
        return Url("/files/" + name);
    }

    /// <summary>Requests received for exactly this path (no query string), e.g. <c>/img/640x480.png</c>.</summary>
    public int RequestCount(string path) => _requestsByPath.TryGetValue(path, out var count) ? count : 0;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var actual && actual != seen)
        {
            seen = actual;
        }
    }

    private void Record(string path)
    {
        Interlocked.Increment(ref _totalRequests);
        _requestsByPath.AddOrUpdate(path, 1, static (_, count) => count + 1);
    }

    private Task ServeImageAsync(HttpContext context)
    {
        if (!TryParseImageFile(RouteValue(context, "file"), out var width, out var height, out var format))
        {
            return NotFoundAsync(context);
        }

        return WriteAsync(context, TestImages.ContentType(format), Image(width, height, format));
    }

    private async Task ServeFileAsync(HttpContext context)
    {
        if (!_files.TryGetValue(RouteValue(context, "name") ?? string.Empty, out var file))
        {
            await NotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = file.ContentType;
        context.Response.ContentLength = file.Body.Length;

        // Kestrel copies a write into its output pipe whole before it waits for the socket, so one
        // write of a 25 MB body would hold 25 MB per connection; pieces keep that to one piece.
        for (var offset = 0; offset < file.Body.Length; offset += FileWriteBytes)
        {
            var length = Math.Min(FileWriteBytes, file.Body.Length - offset);
            await context.Response.Body.WriteAsync(file.Body.AsMemory(offset, length), context.RequestAborted).ConfigureAwait(false);
        }
    }

    private async Task ServeCutOffAsync(HttpContext context)
    {
        if (!TryParseImageFile(RouteValue(context, "file"), out var width, out var height, out var format) || format != TestImageFormat.Jpeg)
        {
            await NotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        // Promise the whole image, deliver half, then drop the connection: the client sees the
        // headers of a healthy response and only fails while reading the body.
        var image = Image(width, height, format);
        context.Response.ContentType = TestImages.ContentType(format);
        context.Response.ContentLength = image.Length;
        await context.Response.Body.WriteAsync(image.AsMemory(0, image.Length / 2), context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);

        // Aborting drops whatever Kestrel has not yet put on the socket, headers included; the
        // pause lets the half body leave first so the failure is mid-body, not before the headers.
        await Task.Delay(CutOffGrace, context.RequestAborted).ConfigureAwait(false);
        context.Abort();
    }

    private Task ServeFlakyAsync(HttpContext context)
    {
        var key = RouteValue(context, "key") ?? string.Empty;
        if (!TryParseNonNegative(RouteValue(context, "failures"), out var failures)
            || !TryParseImageFile(RouteValue(context, "file"), out var width, out var height, out var format))
        {
            return NotFoundAsync(context);
        }

        var attempt = _flakyAttempts.AddOrUpdate(key, 1, static (_, count) => count + 1);
        if (attempt <= failures)
        {
            return WriteAsync(context, "text/plain; charset=utf-8", "temporarily unavailable\n"u8.ToArray(), StatusCodes.Status503ServiceUnavailable);
        }

        return WriteAsync(context, TestImages.ContentType(format), Image(width, height, format));
    }

    private async Task ServeSlowAsync(HttpContext context)
    {
        if (!TryParseNonNegative(RouteValue(context, "ms"), out var delay)
            || !TryParseImageFile(RouteValue(context, "file"), out var width, out var height, out var format))
        {
            await NotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        try
        {
            await Task.Delay(delay, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up (its timeout is usually what is under test); nobody is listening.
            return;
        }

        await WriteAsync(context, TestImages.ContentType(format), Image(width, height, format)).ConfigureAwait(false);
    }

    private static Task ServeStatusAsync(HttpContext context)
    {
        if (!TryParseNonNegative(RouteValue(context, "code"), out var code) || code is < 200 or > 599)
        {
            return NotFoundAsync(context);
        }

        context.Response.StatusCode = code;
        if (code is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            return Task.CompletedTask; // these must not carry a body
        }

        var body = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"status {code}\n"));
        return WriteAsync(context, "text/plain; charset=utf-8", body, code);
    }

    private static Task ServeRedirect(HttpContext context)
    {
        var target = context.Request.Query["to"].ToString();
        if (string.IsNullOrEmpty(target))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return Task.CompletedTask;
        }

        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = target;
        return Task.CompletedTask;
    }

    private byte[] Image(int width, int height, TestImageFormat format) =>
        _images.GetOrAdd((width, height, format), static key => TestImages.Create(key.Format, key.Width, key.Height));

    private static async Task WriteAsync(HttpContext context, string contentType, byte[] body, int statusCode = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task NotFoundAsync(HttpContext context) =>
        WriteAsync(context, "text/plain; charset=utf-8", "no such test resource\n"u8.ToArray(), StatusCodes.Status404NotFound);

    private static string? RouteValue(HttpContext context, string name) => context.Request.RouteValues[name] as string;

    private static bool TryParseNonNegative(string? text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <summary>Parses <c>{w}x{h}.{ext}</c>; formats and sizes Skia cannot produce are treated as unknown paths.</summary>
    private static bool TryParseImageFile(string? file, out int width, out int height, out TestImageFormat format)
    {
        width = height = 0;
        format = default;
        var dot = file?.LastIndexOf('.') ?? -1;
        if (file is null || dot < 0 || !TestImages.TryParseExtension(file[(dot + 1)..], out format))
        {
            return false;
        }

        var size = file.AsSpan(0, dot);
        var x = size.IndexOf('x');
        return x > 0
            && int.TryParse(size[..x], NumberStyles.None, CultureInfo.InvariantCulture, out width)
            && int.TryParse(size[(x + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out height)
            && width > 0 && height > 0
            && (long)width * height <= MaxPixels
            && width <= MaxSide(format) && height <= MaxSide(format);
    }

    private static int MaxSide(TestImageFormat format) => format switch
    {
        TestImageFormat.Webp => 16383,
        TestImageFormat.Bmp => int.MaxValue,
        _ => ushort.MaxValue,
    };
}
