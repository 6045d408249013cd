using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace KC.Infrastructure.IntegrationTests.Imaging;

/// <summary>
/// A <see cref="NetworkGuard"/> dial that records what the guard let through and then connects to
/// a loopback port of the test's choosing, whatever address was vetted. Tests can therefore give a
/// host a public (documentation-range) address without any traffic ever leaving the machine.
/// </summary>
internal sealed class LoopbackDialer(int loopbackPort)
{
    private readonly ConcurrentQueue<(IPAddress[] Addresses, int Port)> _calls = new();

    public int Calls => _calls.Count;

    public IReadOnlyList<(IPAddress[] Addresses, int Port)> Dialled => [.. _calls];

    public async ValueTask<Stream> DialAsync(IPAddress[] addresses, int port, CancellationToken cancellationToken)
    {
        _calls.Enqueue(([.. addresses], port));

        // Always 127.0.0.1: the vetted addresses are recorded, never contacted.
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, loopbackPort), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
