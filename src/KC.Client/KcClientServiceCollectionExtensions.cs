using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KC.Client;

/// <summary>Registers <see cref="KcClient"/> as a typed client of <c>IHttpClientFactory</c>.</summary>
public static class KcClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="KcClient"/> (transient, its <see cref="HttpClient"/> from the factory)
    /// configured by <paramref name="configure"/>:
    /// <code>
    /// services.AddKcClient(o =>
    /// {
    ///     o.BaseAddress = new Uri("http://localhost:8080");
    ///     o.ApiKey = configuration["Kc:ApiKey"];
    /// });
    /// </code>
    /// </summary>
    /// <returns>The client's builder, to add handlers or resilience (<c>.AddStandardResilienceHandler()</c>) or set a timeout.</returns>
    public static IHttpClientBuilder AddKcClient(this IServiceCollection services, Action<KcClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<KcClientOptions>().Configure(configure);
        return services.AddHttpClient<KcClient>((provider, httpClient) =>
            provider.GetRequiredService<IOptions<KcClientOptions>>().Value.ApplyTo(httpClient));
    }
}
