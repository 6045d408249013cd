using System.Net.Http.Headers;

namespace KC.Client;

/// <summary>Where the service is and how to call it; see <see cref="KcClientServiceCollectionExtensions.AddKcClient"/>.</summary>
public sealed class KcClientOptions
{
    /// <summary>The header that carries <see cref="ApiKey"/>.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>The service's root, such as <c>http://localhost:8080</c>. Required; a path below the host is kept.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// A key of the service's <c>Api:Keys</c>, sent as <c>X-Api-Key</c> on every request; the write
    /// endpoints need it when the service has keys configured. Null or empty sends none.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Points <paramref name="httpClient"/> at the service: sets its base address (with a trailing
    /// slash, so a path below the host is kept) and the API key header. Call it before the first request.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="BaseAddress"/> is missing or not an absolute http or https URL.</exception>
    public void ApplyTo(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (BaseAddress is not { IsAbsoluteUri: true } address || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"{nameof(KcClientOptions)}.{nameof(BaseAddress)} must be an absolute http or https URL, such as http://localhost:8080; it is {(BaseAddress is null ? "not set" : $"'{BaseAddress}'")}.");
        }

        httpClient.BaseAddress = address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
        httpClient.DefaultRequestHeaders.Remove(ApiKeyHeader);
        if (!string.IsNullOrEmpty(ApiKey))
        {
            httpClient.DefaultRequestHeaders.Add(ApiKeyHeader, ApiKey);
        }

        httpClient.DefaultRequestHeaders.Accept.Clear();
        httpClient.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }
}
