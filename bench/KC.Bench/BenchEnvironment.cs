using KC.TestSupport;

namespace KC.Bench;

/// <summary>What every scenario shares: the image server and its catalogs, the store ids, the sizes and a scratch folder.</summary>
internal sealed class BenchEnvironment : IAsyncDisposable
{
    private BenchEnvironment(BenchOptions options, TestImageServer imageServer, IReadOnlyList<string> storeIds, string temporaryRoot)
    {
        Options = options;
        ImageServer = imageServer;
        StoreIds = storeIds;
        TemporaryRoot = temporaryRoot;
        Sizes = options.Quick ? WorkloadSizes.Quick : WorkloadSizes.Full;
        Photos = ImageCatalog.Photos(imageServer);
        Tiny = ImageCatalog.Tiny(imageServer);
    }

    public BenchOptions Options { get; }

    public WorkloadSizes Sizes { get; }

    public TestImageServer ImageServer { get; }

    public ImageCatalog Photos { get; }

    public ImageCatalog Tiny { get; }

    /// <summary>Generated only when the photo scenario runs: encoding them takes seconds.</summary>
    public PhonePhotos? PhonePhotos { get; private set; }

    /// <summary>Null for the master bundled with the service.</summary>
    public string? StoreMasterPath => Options.StoreMasterPath;

    public IReadOnlyList<string> StoreIds { get; }

    /// <summary>Each service run's SQLite file lives in its own folder under this one.</summary>
    public string TemporaryRoot { get; }

    /// <summary>Where the services export over OTLP with <c>--tracing</c>; null without it.</summary>
    public OtlpSink? OtlpSink { get; private set; }

    /// <summary>The last lines of the most recently stopped service, for the error report.</summary>
    public string? LastServiceOutput { get; set; }

    public static async Task<BenchEnvironment> StartAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        // The service copies the bundled master beside its binaries, and so beside ours.
        var storeIds = StoreMasterIds.Load(options.StoreMasterPath ?? Path.Combine(AppContext.BaseDirectory, "SampleData", "store-master.csv"));
        var temporaryRoot = Path.Combine(Path.GetTempPath(), $"kc-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(temporaryRoot);

        var imageServer = await TestImageServer.StartAsync();
        var environment = new BenchEnvironment(options, imageServer, storeIds, temporaryRoot);
        try
        {
            await environment.Photos.WarmUpAsync(cancellationToken);
            await environment.Tiny.WarmUpAsync(cancellationToken);
            if (options.Tracing)
            {
                environment.OtlpSink = await OtlpSink.StartAsync();
                BenchLog.Line($"tracing: every service exports over OTLP/HTTP to {environment.OtlpSink.Endpoint}");
            }
            if (options.Scenarios.Contains(Scenario.Photos))
            {
                environment.PhonePhotos = await Task.Run(() => PhonePhotos.Generate(imageServer, options.Quick), cancellationToken);
                BenchLog.Line($"phone photos: {environment.PhonePhotos.Describe()}");
            }

            return environment;
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }
    }

    /// <summary>What the OTLP sink received, for the output; null without <c>--tracing</c>.</summary>
    public string? DescribeOtlp()
    {
        if (OtlpSink is not { } sink)
        {
            return null;
        }

        var (traceRequests, traceBytes) = sink.Received("traces");
        var (metricRequests, metricBytes) = sink.Received("metrics");
        return string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"OTLP sink received {traceRequests:N0} trace exports ({traceBytes / 1_048_576.0:0.0} MiB) and {metricRequests:N0} metric exports ({metricBytes / 1_048_576.0:0.0} MiB)");
    }

    public async ValueTask DisposeAsync()
    {
        await ImageServer.DisposeAsync();
        if (OtlpSink is not null)
        {
            await OtlpSink.DisposeAsync();
        }

        try
        {
            Directory.Delete(TemporaryRoot, recursive: true);
        }
        catch (IOException)
        {
            // A leftover scratch folder under the temp directory is harmless.
        }
    }
}
