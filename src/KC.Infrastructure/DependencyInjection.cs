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
using Microsoft.Extensions.Logging;
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
            .Validate(o => o.MaxClaims >= 1, "Processing:MaxClaims must be at least 1")
            .Validate(o => o.DownloadTimeoutSeconds >= 1, "Processing:DownloadTimeoutSeconds must be at least 1")
            .Validate(o => o.MaxImageBytes >= 1, "Processing:MaxImageBytes must be positive")
            .Validate(o => o.MaxHeaderBytes >= ImageHeaderReader.MinimumPrefixBytes, $"Processing:MaxHeaderBytes must be at least {ImageHeaderReader.MinimumPrefixBytes}")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ProcessingOptions>>().Value);
        services.AddOptions<StoreImportLimits>()
            .Bind(configuration.GetSection(StoreImportLimits.SectionName))
            .Validate(o => o.MaxStoreImportBytes >= 1, "Api:MaxStoreImportBytes must be positive")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StoreImportLimits>>().Value);
        var node = ReadNode(configuration);
        services.AddSingleton(node);
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<RetentionOptions>()
            .Bind(configuration.GetSection(RetentionOptions.SectionName))
            .Validate(o => o.Days >= 0, "Retention:Days must not be negative (0 turns retention off)")
            .Validate(o => o.BatchSize >= 1, "Retention:BatchSize must be positive")
            .Validate(o => o.IntervalMinutes >= 1, "Retention:IntervalMinutes must be positive")
            .ValidateOnStart();

        var database = AddPersistence(services, configuration);
        AddImaging(services);

        services.AddSingleton<WorkSignal>();
        services.AddSingleton<IWorkSignal>(sp => sp.GetRequiredService<WorkSignal>());
        services.AddSingleton<IWorkQueue, SqlWorkQueue>();
        services.AddSingleton<ProcessingEngine>();
        services.AddSingleton<IJobCancellationSignal>(sp => sp.GetRequiredService<ProcessingEngine>());

        var checks = services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [ReadinessTag]);
        if (node.ProcessesWork)
        {
            checks.AddCheck<WorkerHealthCheck>("worker", tags: [ReadinessTag]);
        }

        // Order matters: hosted services start in registration order (and stop in reverse), so the
        // schema and the store master are ready before the worker claims its first image, and the
        // node is marked stopped only after its worker has handed its leases back.
        services.AddHostedService<DatabaseInitializer>();
        services.AddSingleton<NodeRegistration>();
        services.AddHostedService<NodeHeartbeat>();
        if (node.ProcessesWork)
        {
            services.AddHostedService<ProcessingWorker>();
            if (database.Provider == DatabaseProvider.Postgres)
            {
                services.AddHostedService(sp => new PostgresWorkListener(
                    database.ConnectionString, sp.GetRequiredService<WorkSignal>(), sp.GetRequiredService<ILogger<PostgresWorkListener>>()));
            }

            services.AddHostedService<RetentionSweeper>();
        }

        // Completion callbacks: their own queue table and dispatcher, through the same network guard.
        services.AddCallbacks(configuration, node.ProcessesWork);
        return services;
    }

    private static NodeIdentity ReadNode(IConfiguration configuration)
    {
        var role = NodeIdentity.ParseRole(configuration[NodeIdentity.RoleKey]);
        if (configuration[NodeIdentity.IdKey] is not { Length: > 0 } configured)
        {
            // Unique per process, so two processes on one host never share an id by default.
            var hostName = Environment.MachineName;
            var prefix = hostName[..Math.Min(hostName.Length, Schema.Nodes.MaxIdLength - NodeIdentity.DefaultIdSuffixLength)];
            return new NodeIdentity(NodeIdentity.DefaultId(prefix), role) { IdIsDefault = true };
        }

        if (configured.Length > Schema.Nodes.MaxIdLength)
        {
            throw new ArgumentException($"{NodeIdentity.IdKey} must be at most {Schema.Nodes.MaxIdLength} characters.");
        }

        return new NodeIdentity(configured, role);
    }

    private static (DatabaseProvider Provider, string ConnectionString) AddPersistence(IServiceCollection services, IConfiguration configuration)
    {
        var database = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var configured = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        string connectionString;
        switch (database.Provider)
        {
            case DatabaseProvider.Sqlite:
                // Pooled: status polls and queue statements reuse contexts instead of building one each time.
                connectionString = SqliteFile.OpenWithoutCreating(configured is { Length: > 0 } ? configured : DatabaseOptions.DefaultSqliteConnectionString);
                var pragmas = new SqlitePragmas(database.BusyTimeoutMilliseconds);
                services.AddPooledDbContextFactory<KcDbContext>(options => options
                    .UseSqlite(connectionString)
                    .AddInterceptors(pragmas));
                break;

            case DatabaseProvider.Postgres:
                connectionString = configured is { Length: > 0 } ? configured : throw new ArgumentException(
                    "ConnectionStrings:KC must be set when Database:Provider is Postgres, e.g. Host=db;Database=kc;Username=kc;Password=…");

                // Every consumer asks for KcDbContext; on PostgreSQL it is the type its migrations
                // belong to. A scope's context comes from the factory, so the scope alone disposes it.
                services.AddPooledDbContextFactory<PostgresKcDbContext>(options => options.UseNpgsql(connectionString));
                services.AddSingleton<IDbContextFactory<KcDbContext>>(sp =>
                    new BaseContextFactory<PostgresKcDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresKcDbContext>>()));
                services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<KcDbContext>>().CreateDbContext());
                break;

            default:
                throw new ArgumentException($"Database:Provider must be Sqlite or Postgres; '{database.Provider}' is neither.");
        }

        services.AddScoped<IJobRepository, JobRepository>();
        services.AddScoped<IJobReadModel, JobReadModel>();
        services.AddScoped<IStoreMaster, StoreMasterRepository>();
        services.AddScoped<IStoreImporter, StoreMasterImporter>();
        services.AddScoped<IJobListReadModel, JobListReadModel>();
        services.AddScoped<IVisitReadModel, VisitReadModel>();
        services.AddScoped<IStoreReadModel, StoreReadModel>();
        services.AddScoped<INodeReadModel, NodeReadModel>();
        return (database.Provider, connectionString);
    }

    /// <summary>The download stage: measurer, GPU step, and the guarded, resilient image client.
    /// A <see cref="NetworkGuard"/> registered before this call is kept (tests bring their own resolver).</summary>
    internal static void AddImaging(IServiceCollection services)
    {
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
