using System.Net;
using KC.Application.Common.Interfaces;
using KC.Application.Processing;
using KC.Infrastructure.Callbacks;
using KC.Application.Stores.Commands.ImportStores;
using KC.Infrastructure.Health;
using KC.Infrastructure.Hosting;
using KC.Infrastructure.Imaging;
using KC.Infrastructure.Persistence;
using KC.Infrastructure.Queue;
using KC.Infrastructure.StoreMaster;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace KC.Infrastructure;

public static class DependencyInjection
{
    /// <summary>The tag of the checks behind <c>/health/ready</c>.</summary>
    public const string ReadinessTag = "ready";

    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.SectionName));
        services.AddOptions<StoreMasterOptions>().Bind(configuration.GetSection(StoreMasterOptions.SectionName));
        services.AddOptions<ProcessingOptions>()
            .Bind(configuration.GetSection(ProcessingOptions.SectionName))
            .Validate(o => o.MaxConcurrency > 0, "Processing:MaxConcurrency must be positive")
            .Validate(o => o.GpuDelayMinMs >= 0 && o.GpuDelayMaxMs >= o.GpuDelayMinMs, "Processing:GpuDelayMinMs must be between 0 and Processing:GpuDelayMaxMs")
            .Validate(o => o.MaxAttempts >= 1, "Processing:MaxAttempts must be at least 1")
            .Validate(o => o.LeaseSeconds >= 3, "Processing:LeaseSeconds must be at least 3")
            .Validate(o => o.DownloadTimeoutSeconds >= 1, "Processing:DownloadTimeoutSeconds must be at least 1")
            .Validate(o => o.MaxImageBytes >= 1, "Processing:MaxImageBytes must be positive")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ProcessingOptions>>().Value);
        services.AddOptions<StoreImportLimits>()
            .Bind(configuration.GetSection(StoreImportLimits.SectionName))
            .Validate(o => o.MaxStoreImportBytes >= 1, "Api:MaxStoreImportBytes must be positive")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StoreImportLimits>>().Value);
        services.AddSingleton(new NodeIdentity(configuration["Node:Id"] is { Length: > 0 } id ? id : Environment.MachineName));
        services.AddSingleton(TimeProvider.System);

        AddPersistence(services, configuration);
        AddImaging(services);

        services.AddSingleton<WorkSignal>();
        services.AddSingleton<IWorkSignal>(sp => sp.GetRequiredService<WorkSignal>());
        services.AddSingleton<IWorkQueue, SqlWorkQueue>();
        services.AddSingleton<ProcessingEngine>();
        services.AddSingleton<IJobCancellationSignal>(sp => sp.GetRequiredService<ProcessingEngine>());

        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadinessTag])
            .AddCheck<WorkerHealthCheck>("worker", tags: [ReadinessTag]);

        // Order matters: hosted services start in registration order, so the schema and the store
        // master are ready before the worker claims its first image.
        services.AddHostedService<DatabaseInitializer>();
        services.AddHostedService<ProcessingWorker>();

        // Completion callbacks: their own queue table and dispatcher, through the same network guard.
        services.AddCallbacks(configuration);
        return services;
    }

    private static void AddPersistence(IServiceCollection services, IConfiguration configuration)
    {
        var database = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName) is { Length: > 0 } cs
            ? cs
            : DatabaseOptions.DefaultSqliteConnectionString;

        if (database.Provider != DatabaseProvider.Sqlite)
        {
            throw new NotSupportedException($"Database:Provider '{database.Provider}' is not supported by this build; use Sqlite.");
        }

        var pragmas = new SqlitePragmas(database.BusyTimeoutMilliseconds);

        // Pooled: status polls and queue statements reuse contexts instead of building one each time.
        services.AddPooledDbContextFactory<KcDbContext>(options => options
            .UseSqlite(connectionString)
            .AddInterceptors(pragmas));

        services.AddScoped<IJobRepository, JobRepository>();
        services.AddScoped<IJobReadModel, JobReadModel>();
        services.AddScoped<IStoreMaster, StoreMasterRepository>();
        services.AddScoped<IStoreImporter, StoreMasterImporter>();
        services.AddScoped<IJobListReadModel, JobListReadModel>();
        services.AddScoped<IVisitReadModel, VisitReadModel>();
        services.AddScoped<IStoreReadModel, StoreReadModel>();
    }

    /// <summary>The download stage: measurer, GPU step, and the guarded, resilient image client.
    /// A <see cref="NetworkGuard"/> registered before this call is kept (tests bring their own resolver).</summary>
    internal static void AddImaging(IServiceCollection services)
    {
        services.AddSingleton<IImageMeasurer, SkiaImageMeasurer>();
        services.AddSingleton<IGpuStep, SimulatedGpuStep>();
        services.AddSingleton<IImageDownloader, HttpImageDownloader>();
        services.TryAddSingleton(sp => new NetworkGuard(sp.GetRequiredService<ProcessingOptions>().AllowPrivateNetworks));

        var images = services.AddHttpClient(HttpImageDownloader.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        images.ConfigurePrimaryHttpMessageHandler(sp =>
        {
            var options = sp.GetRequiredService<ProcessingOptions>();
            var guard = sp.GetRequiredService<NetworkGuard>();
            return new SocketsHttpHandler
            {
                ConnectCallback = guard.ConnectAsync,

                // Through a proxy the guard would vet the proxy's address, not the image host's.
                UseProxy = false,

                // Redirects are followed by the downloader, one request per hop.
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                MaxConnectionsPerServer = Math.Max(2, options.EffectiveDownloadConcurrency),
                ConnectTimeout = TimeSpan.FromSeconds(options.DownloadTimeoutSeconds),
            };
        });
        images.AddResilienceHandler("image-download", (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<ProcessingOptions>();
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
    }

    /// <summary>Connection errors, timeouts, 408, 429 and 5xx are worth another try; the network guard's refusals never are.</summary>
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException { InnerException: NetworkGuardException } } => false,
        { Exception: HttpRequestException or Polly.Timeout.TimeoutRejectedException } => true,
        { Result: { } response } => response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            || (int)response.StatusCode >= 500,
        _ => false,
    };
}
