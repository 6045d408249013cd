using KC.Application.Processing;
using KC.Infrastructure.Imaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KC.Infrastructure.IntegrationTests.Imaging;

/// <summary>
/// The production download stack (named client, resilience handler, guarded socket handler) built
/// by <see cref="ImagingServices.AddImagingStages"/>, with an optional guard of the test's own.
/// </summary>
internal sealed class DownloadStack : IDisposable
{
    private readonly ServiceProvider _provider;

    public DownloadStack(ImagingOptions options, NetworkGuard? guard = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddSingleton(options);
        services.AddSingleton(new ProcessingOptions { MaxConcurrency = 4 });
        services.AddSingleton(TimeProvider.System);
        if (guard is not null)
        {
            services.AddSingleton(guard);
        }

        services.AddImagingStages();
        _provider = services.BuildServiceProvider();
        Downloader = _provider.GetRequiredService<IImageDownloader>();
    }

    public IImageDownloader Downloader { get; }

    public RecordingLoggerProvider Logs { get; } = new();

    /// <summary>Requests the stack sent, as its logging handler saw them: retries and redirect hops each count.</summary>
    public int Attempts => Logs.Attempts(HttpImageDownloader.ClientName);

    /// <summary>Options with fast retries and short timeouts; tests change what they examine.</summary>
    public static ImagingOptions Options(bool allowPrivateNetworks, int maxAttempts = 3) => new()
    {
        AllowPrivateNetworks = allowPrivateNetworks,
        MaxAttempts = maxAttempts,
        DownloadTimeoutSeconds = 10,
        MaxRedirects = 5,
    };

    /// <summary>Runs <paramref name="act"/> and returns what it threw, or null.</summary>
    public static async Task<Exception?> CatchAsync(Func<Task> act)
    {
        try
        {
            await act();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    public void Dispose() => _provider.Dispose();
}
