using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace KC.TestSupport;

/// <summary>
/// A stand-in OpenTelemetry collector on a random loopback port: it takes OTLP over HTTP
/// (<c>POST /v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>, protobuf or JSON), reads each body
/// to its end, answers <c>200</c> with an empty export response, and counts what arrived. Point
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> at <see cref="Endpoint"/> with <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>.
/// </summary>
public sealed class OtlpSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (long Requests, long Bytes)> _received = new(StringComparer.Ordinal);

    private OtlpSink()
    {
        _app = LoopbackServer.Build();
        _app.UseRouting();
        _app.MapPost("/v1/{signal}", ReceiveAsync);
    }

    /// <summary>The base address to export to, e.g. <c>http://127.0.0.1:41234</c> (the exporter adds <c>/v1/…</c>).</summary>
    public Uri Endpoint { get; private set; } = null!;

    public static async Task<OtlpSink> StartAsync()
    {
        var sink = new OtlpSink();
        try
        {
            sink.Endpoint = await LoopbackServer.StartAsync(sink._app).ConfigureAwait(false);
            return sink;
        }
        catch
        {
            await sink.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Export requests and body bytes received for <paramref name="signal"/> (<c>traces</c>, <c>metrics</c>, <c>logs</c>).</summary>
    public (long Requests, long Bytes) Received(string signal) => _received.GetValueOrDefault(signal);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        var signal = context.Request.RouteValues["signal"] as string ?? string.Empty;
        var buffer = new byte[16 * 1024];
        long bytes = 0;
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            bytes += read;
        }

        _received.AddOrUpdate(signal, (1, bytes), (_, seen) => (seen.Requests + 1, seen.Bytes + bytes));

        // An empty Export*ServiceResponse: no partial success to report.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = context.Request.ContentType ?? "application/x-protobuf";
        context.Response.ContentLength = 0;
    }
}
