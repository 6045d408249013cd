using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KC.Infrastructure.IntegrationTests.Imaging;

/// <summary>
/// A loopback TCP listener that answers every connection with one fixed, hand-written HTTP/1.1
/// response and then closes it: for responses Kestrel will not produce, such as a body without a
/// Content-Length (delimited by the connection closing) or a Content-Length the body never meets.
/// </summary>
internal sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly byte[] _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _holdOpen;
    private readonly bool _endless;
    private readonly Task _loop;
    private int _connections;

    private RawHttpServer(string? head, byte[] body, bool holdOpen = false, bool endless = false)
    {
        _response = head is null ? [] : [.. Encoding.ASCII.GetBytes(head.ReplaceLineEndings("\r\n") + "\r\n"), .. body];
        _holdOpen = holdOpen;
        _endless = endless;
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}/{path.TrimStart('/')}");

    /// <summary>200 with no Content-Length: the body is everything until the server closes.</summary>
    public static RawHttpServer UntilClose(byte[] body) => new("HTTP/1.1 200 OK\nContent-Type: image/png\nConnection: close\n", body);

    /// <summary>200 declaring <paramref name="declaredLength"/> bytes, sending <paramref name="body"/>, then closing.</summary>
    public static RawHttpServer Declaring(long declaredLength, byte[] body) =>
        new($"HTTP/1.1 200 OK\nContent-Type: image/png\nContent-Length: {declaredLength}\nConnection: close\n", body);

    /// <summary>200 declaring <paramref name="declaredLength"/> bytes, sending <paramref name="body"/>, then going quiet until disposed.</summary>
    public static RawHttpServer Stalling(long declaredLength, byte[] body) =>
        new($"HTTP/1.1 200 OK\nContent-Type: image/png\nContent-Length: {declaredLength}\n", body, holdOpen: true);

    /// <summary>200 with no Content-Length: <paramref name="body"/>, then zeros for as long as the client reads.</summary>
    public static RawHttpServer Endless(byte[] body) => new("HTTP/1.1 200 OK\nContent-Type: image/png\nConnection: close\n", body, endless: true);

    /// <summary>Answers every request with <paramref name="head"/> (status line and headers) and <paramref name="body"/>.</summary>
    public static RawHttpServer Answering(string head, byte[] body) => new(head, body);

    /// <summary>Reads the request and closes the connection without a byte of response.</summary>
    public static RawHttpServer Silent() => new(null, []);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                // Read the request head, then answer; the request itself does not matter.
                var buffer = new byte[8192];
                var received = 0;
                while (received < buffer.Length)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(received), _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    received += read;
                    if (buffer.AsSpan(0, received).IndexOf("\r\n\r\n"u8) >= 0)
                    {
                        break;
                    }
                }

                await socket.SendAsync(_response, _stop.Token);
                if (_endless)
                {
                    // Until the client closes the connection, which ends the send with an error.
                    var filler = new byte[64 * 1024];
                    while (true)
                    {
                        await socket.SendAsync(filler, _stop.Token);
                    }
                }

                if (_holdOpen)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client went away or the server is stopping.
            }
        }
    }
}
