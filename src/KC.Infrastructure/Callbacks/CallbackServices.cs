using System.Net;
using KC.Infrastructure.Imaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KC.Infrastructure.Callbacks;

internal static class CallbackServices
{
    /// <summary>
    /// The callback options, queue, guarded HTTP client and dispatcher. Call after the hosted
    /// services that prepare the database, so the dispatcher starts after them.
    /// </summary>
    /// <param name="dispatch">False on an API-only node: callbacks are queued by its submits and cancellations, and sent by the workers.</param>
    public static IServiceCollection AddCallbacks(this IServiceCollection services, IConfiguration configuration, bool dispatch)
    {
        services.AddOptions<CallbackOptions>()
            .Bind(configuration.GetSection(CallbackOptions.SectionName))
            .Validate(o => o.MaxAttempts >= 1, "Callbacks:MaxAttempts must be at least 1")
            .Validate(o => o.TimeoutSeconds >= 1, "Callbacks:TimeoutSeconds must be at least 1")
            .Validate(o => o.RetryDelayMilliseconds >= 0 && o.MaxRetryDelaySeconds >= 0, "Callbacks:RetryDelayMilliseconds and Callbacks:MaxRetryDelaySeconds must not be negative")
            .Validate(o => o.PollMilliseconds >= 1, "Callbacks:PollMilliseconds must be positive")
            .Validate(o => o.MaxConcurrency >= 1, "Callbacks:MaxConcurrency must be positive")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<CallbackOptions>>().Value);
        services.AddSingleton<CallbackStore>();
        services.AddSingleton<CallbackSender>();

        services.AddHttpClient(CallbackSender.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<CallbackOptions>();
                return new SocketsHttpHandler
                {
                    // Receivers are client-chosen URLs too: the address connected to is vetted like an image host's.
                    ConnectCallback = sp.GetRequiredService<NetworkGuard>().ConnectAsync,
                    UseProxy = false,
                    AllowAutoRedirect = false,
                    AutomaticDecompression = DecompressionMethods.None,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    ConnectTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
                };
            });

        if (dispatch)
        {
            services.AddHostedService<CallbackDispatcher>();
        }

        return services;
    }
}
