using System.Net;
using KC.Application.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace KC.Infrastructure.Imaging;

/// <summary>The download and GPU stages: their settings, the guarded and resilient image client, the measuring downloader.</summary>
internal static class ImagingServices
{
    public static IServiceCollection AddImaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ImagingOptions>()
            .Bind(configuration.GetSection(ImagingOptions.SectionName))
            .Validate(o => o.GpuDelayMinMs >= 0 && o.GpuDelayMaxMs >= o.GpuDelayMinMs, "Processing:GpuDelayMinMs must be between 0 and Processing:GpuDelayMaxMs")
            .Validate(o => o.MaxAttempts >= 1, "Processing:MaxAttempts must be at least 1")
            .Validate(o => o.DownloadTimeoutSeconds >= 1, "Processing:DownloadTimeoutSeconds must be at least 1")
            .Validate(o => o.MaxImageBytes >= 1, "Processing:MaxImageBytes must be positive")
            .Validate(o => o.MaxHeaderBytes >= ImageHeaderReader.MinimumPrefixBytes, $"Processing:MaxHeaderBytes must be at least {ImageHeaderReader.MinimumPrefixBytes}")
            .Validate(o => o.MaxConnectionsPerHost >= 1, "Processing:MaxConnectionsPerHost must be at least 1")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ImagingOptions>>().Value);
        return services.AddImagingStages();
    }

    /// <summary>
    /// The stages over an <see cref="ImagingOptions"/> already registered. A <see cref="NetworkGuard"/>
    /// registered before this call is kept (tests bring their own resolver).
    /// </summary>
    internal static IServiceCollection AddImagingStages(this IServiceCollection services)
    {
        services.AddSingleton<IGpuStep, SimulatedGpuStep>();
        services.AddSingleton<IImageDownloader, HttpImageDownloader>();
        services.TryAddSingleton(sp => new NetworkGuard(sp.GetRequiredService<ImagingOptions>().AllowPrivateNetworks));

        var images = services.AddHttpClient(HttpImageDownloader.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        images.ConfigurePrimaryHttpMessageHandler(sp =>
        {
            var options = sp.GetRequiredService<ImagingOptions>();
            var downloads = sp.GetService<ProcessingOptions>()?.EffectiveDownloadConcurrency ?? 0;
            return new SocketsHttpHandler
            {
                ConnectCallback = sp.GetRequiredService<NetworkGuard>().ConnectAsync,

                // Through a proxy the guard would vet the proxy's address, not the image host's.
                UseProxy = false,

                // Redirects are followed by the downloader, one request per hop.
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                MaxConnectionsPerServer = Math.Min(options.MaxConnectionsPerHost, Math.Max(2, downloads)),
                ConnectTimeout = TimeSpan.FromSeconds(options.DownloadTimeoutSeconds),
            };
        });
        images.AddResilienceHandler("image-download", (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<ImagingOptions>();
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, options.MaxAttempts - 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(10),
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(
                    options.MaxAttempts > 1 && IsTransient(args.Outcome)),
            });
            pipeline.AddTimeout(TimeSpan.FromSeconds(options.DownloadTimeoutSeconds));
        });

        // Added after the resilience handler, so it sits inside it and sees every attempt.
        images.AddHttpMessageHandler(() => new AttemptCountingHandler());
        return services;
    }

    /// <summary>Connection errors, timeouts, 408, 429 and 5xx are worth another try; the network guard's refusals never are.</summary>
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException { InnerException: NetworkGuardException } } => false,
        { Exception: HttpRequestException or Polly.Timeout.TimeoutRejectedException } => true,
        { Result: { } response } => (response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            || (int)response.StatusCode >= 500) && !WaitOutlivesDownload(response),
        _ => false,
    };

    /// <summary>A <c>Retry-After</c> longer than the download has left is not waited for: the image fails at once, saying so.</summary>
    private static bool WaitOutlivesDownload(HttpResponseMessage response) =>
        HttpImageDownloader.RetryAfter(response) is { } wait
        && response.RequestMessage?.Options.TryGetValue(AttemptLog.Key, out var log) == true
        && wait > log.TimeLeft;
}
