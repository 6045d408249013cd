using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace KC.Infrastructure.IntegrationTests.Imaging;

/// <summary>
/// Name resolution from a fixed table, counting every lookup. An unknown name fails the way DNS
/// does (host not found); nothing is ever asked of a real resolver.
/// </summary>
internal sealed class FakeResolver
{
    private readonly Dictionary<string, IPAddress[]> _table = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _lookups = new(StringComparer.OrdinalIgnoreCase);

    public int TotalLookups => _lookups.Values.Sum();

    public FakeResolver Map(string host, params string[] addresses)
    {
        _table[host] = [.. addresses.Select(IPAddress.Parse)];
        return this;
    }

    public int Lookups(string host) => _lookups.TryGetValue(host, out var count) ? count : 0;

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _lookups.AddOrUpdate(host, 1, static (_, count) => count + 1);
        return _table.TryGetValue(host, out var addresses)
            ? Task.FromResult<IPAddress[]>([.. addresses])
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    }
}
