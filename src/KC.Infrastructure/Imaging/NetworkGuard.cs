using System.Net;
using System.Net.Sockets;

namespace KC.Infrastructure.Imaging;

/// <summary>
/// Keeps client-chosen URLs from reaching our own network. The check runs in the HTTP handler's
/// connect callback, on the address actually connected to, so DNS rebinding and redirects to a
/// private address are refused as well as literal ones.
/// </summary>
/// <param name="allowPrivateNetworks">Lifts the address check (development and tests).</param>
/// <param name="resolve">Name resolution; DNS unless a test supplies its own.</param>
/// <param name="dial">Opens the connection to vetted addresses; a TCP socket unless a test supplies its own.</param>
public sealed class NetworkGuard(
    bool allowPrivateNetworks,
    Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null,
    Func<IPAddress[], int, CancellationToken, ValueTask<Stream>>? dial = null)
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve = resolve ?? Dns.GetHostAddressesAsync;
    private readonly Func<IPAddress[], int, CancellationToken, ValueTask<Stream>> _dial = dial ?? DialTcpAsync;

    /// <summary>
    /// The IPv4 address an IPv6 address carries and is routed to: IPv4-mapped (<c>::ffff:a.b.c.d</c>),
    /// IPv4-compatible (<c>::a.b.c.d</c>), NAT64 (<c>64:ff9b::a.b.c.d</c>, RFC 6052) and 6to4
    /// (<c>2002:AABB:CCDD::</c>, RFC 3056). Null for any other address. Without this, a private
    /// IPv4 address written in one of these forms would pass as a public IPv6 address.
    /// </summary>
    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return new IPAddress(b.AsSpan(2, 4));
        }

        var nat64 = b is [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, ..];
        var compatible = b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !IPAddress.IsLoopback(address) && !address.Equals(IPAddress.IPv6Any);
        return nat64 || compatible ? new IPAddress(b.AsSpan(12, 4)) : null;
    }

    /// <summary>Why <paramref name="address"/> is refused, or null when it is a public address.</summary>
    public static string? RefusalReason(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = EmbeddedIPv4(address) ?? address;

        if (IPAddress.IsLoopback(address))
        {
            return "loopback";
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 => "unspecified",
                10 => "private network",
                100 when b[1] >= 64 && b[1] <= 127 => "shared address space",
                169 when b[1] == 254 => "link-local",
                172 when b[1] >= 16 && b[1] <= 31 => "private network",
                192 when b[1] == 168 => "private network",
                192 when b[1] == 0 && b[2] == 0 => "reserved",
                >= 224 => "multicast or reserved",
                _ => null,
            };
        }

        if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any))
        {
            return "unspecified";
        }

        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal)
        {
            return "link-local";
        }

        if (address.IsIPv6UniqueLocal)
        {
            return "unique-local";
        }

        if (address.IsIPv6Multicast)
        {
            return "multicast or reserved";
        }

        return null;
    }

    /// <summary>A connect callback for <see cref="SocketsHttpHandler.ConnectCallback"/>.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await _resolve(host, cancellationToken).ConfigureAwait(false);

        var allowed = addresses;
        if (!allowPrivateNetworks)
        {
            allowed = addresses.Where(a => RefusalReason(a) is null).ToArray();
            if (allowed.Length == 0)
            {
                var refused = addresses.Length == 0 ? null : addresses[0];
                throw new NetworkGuardException(refused is null
                    ? $"{host} resolves to no address"
                    : $"address {refused} of {host} is refused by the network guard ({RefusalReason(refused)}); set Processing:AllowPrivateNetworks to allow it");
            }
        }

        return await _dial(allowed, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask<Stream> DialTcpAsync(IPAddress[] addresses, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A URL the network guard refused; never retried.</summary>
public sealed class NetworkGuardException : Exception
{
    public NetworkGuardException()
    {
    }

    public NetworkGuardException(string message)
        : base(message)
    {
    }

    public NetworkGuardException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
