using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace KC.TestSupport;

/// <summary>One request a <see cref="CallbackReceiver"/> received, as it arrived.</summary>
public sealed record ReceivedCallback(string Method, string? ContentType, string Body, int AnsweredWith, DateTimeOffset At);

/// <summary>
/// A real Kestrel server on a random loopback port that receives completion callbacks at
/// <c>/hooks/{name}</c>, one name per test. Each hook answers from its script of status codes
/// (<see cref="Script"/>), then <c>200</c>; a hook can also hold requests until released, to
/// stand for a receiver that accepts the connection and never answers (<see cref="Hold"/>), and
/// says how many of its requests are still waiting for their answer (<see cref="Open"/>).
/// </summary>
public sealed class CallbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ReceivedCallback>> _received = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _holds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<int>> _open = new(StringComparer.Ordinal);

    private CallbackReceiver()
    {
        _app = LoopbackServer.Build();
        _app.UseRouting();
        _app.MapPost("/hooks/{name}", ReceiveAsync);
    }

    /// <summary>The server root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<CallbackReceiver> StartAsync()
    {
        var receiver = new CallbackReceiver();
        try
        {
            receiver.BaseAddress = await LoopbackServer.StartAsync(receiver._app).ConfigureAwait(false);
            return receiver;
        }
        catch
        {
            await receiver.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The URL of hook <paramref name="name"/>.</summary>
    public Uri Url(string name) => new(BaseAddress, $"hooks/{Uri.EscapeDataString(name)}");

    /// <summary>Hook <paramref name="name"/> answers its next requests with these codes, in order, then 200.</summary>
    public void Script(string name, params int[] statusCodes)
    {
        ArgumentNullException.ThrowIfNull(statusCodes);
        var queue = _scripts.GetOrAdd(name, _ => new ConcurrentQueue<int>());
        foreach (var code in statusCodes)
        {
            queue.Enqueue(code);
        }
    }

    /// <summary>Hook <paramref name="name"/> holds every request (recording it first) until <see cref="Release"/>.</summary>
    public void Hold(string name) => _holds[name] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets held requests of hook <paramref name="name"/> go on, and later ones pass at once.</summary>
    public void Release(string name)
    {
        if (_holds.TryRemove(name, out var hold))
        {
            hold.TrySetResult();
        }
    }

    /// <summary>Requests of hook <paramref name="name"/> received and not yet answered: held, or being answered.</summary>
    public int Open(string name) => _open.TryGetValue(name, out var open) ? Volatile.Read(ref open.Value) : 0;

    /// <summary>Requests hook <paramref name="name"/> has received, oldest first.</summary>
    public IReadOnlyList<ReceivedCallback> Received(string name) =>
        _received.TryGetValue(name, out var queue) ? [.. queue] : [];

    /// <summary>Waits until hook <paramref name="name"/> has received <paramref name="count"/> requests; fails after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<ReceivedCallback>> WaitForAsync(string name, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Received(name).Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Hook {name} received {Received(name).Count} of {count} requests within {timeout.TotalSeconds} s.");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return Received(name);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _holds.Keys)
        {
            Release(name);
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        var name = context.Request.RouteValues["name"] as string ?? string.Empty;
        var open = _open.GetOrAdd(name, _ => new StrongBox<int>());
        Interlocked.Increment(ref open.Value);
        try
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            var status = _scripts.TryGetValue(name, out var script) && script.TryDequeue(out var scripted) ? scripted : StatusCodes.Status200OK;
            _received.GetOrAdd(name, _ => new ConcurrentQueue<ReceivedCallback>())
                .Enqueue(new ReceivedCallback(context.Request.Method, context.Request.ContentType, body, status, DateTimeOffset.UtcNow));

            if (_holds.TryGetValue(name, out var hold))
            {
                await hold.Task.WaitAsync(context.RequestAborted).ConfigureAwait(false);
            }

            context.Response.StatusCode = status;
        }
        finally
        {
            Interlocked.Decrement(ref open.Value);
        }
    }
}
