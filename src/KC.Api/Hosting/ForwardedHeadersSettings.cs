using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace KC.Api.Hosting;

/// <summary>
/// The <c>ForwardedHeaders</c> section: the reverse proxies whose <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c> are believed, so the rate limit and the logs see the real client. With
/// neither list set the headers are ignored, since anyone could send them.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Addresses of trusted proxies (<c>10.0.0.5</c>, <c>::1</c>).</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>Networks of trusted proxies in CIDR form (<c>10.0.0.0/8</c>).</summary>
    public IList<string> KnownNetworks { get; } = [];

    /// <summary>How many proxies in a row may add to <c>X-Forwarded-For</c>.</summary>
    public int ForwardLimit { get; set; } = 1;

    public bool IsEnabled => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    /// <summary>The middleware's options; a value that is no address or network stops the service at start, naming it.</summary>
    public ForwardedHeadersOptions ToOptions()
    {
        if (ForwardLimit < 1)
        {
            throw new ArgumentException($"{SectionName}:ForwardLimit must be at least 1; got {ForwardLimit}.");
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = ForwardLimit,
        };

        // Only what is configured: the defaults trust loopback, which a proxy on this host is not always.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        for (var i = 0; i < KnownProxies.Count; i++)
        {
            options.KnownProxies.Add(IPAddress.TryParse(KnownProxies[i], out var address)
                ? address
                : throw new ArgumentException($"{SectionName}:KnownProxies:{i} must be an IP address; '{KnownProxies[i]}' is not."));
        }

        for (var i = 0; i < KnownNetworks.Count; i++)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(KnownNetworks[i], out var network)
                ? network
                : throw new ArgumentException($"{SectionName}:KnownNetworks:{i} must be a network in CIDR form such as 10.0.0.0/8; '{KnownNetworks[i]}' is not."));
        }

        return options;
    }
}
