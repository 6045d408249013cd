using System.Diagnostics;
using System.Globalization;
using KC.TestSupport;

namespace KC.Bench;

/// <summary>The settings a scenario varies: GPU slots and the simulated GPU time per image.</summary>
internal sealed record ServiceSettings(int Slots, int GpuMinMs = 100, int GpuMaxMs = 400)
{
    public double MeanGpuSeconds => (GpuMinMs + GpuMaxMs) / 2_000.0;

    /// <summary>The ceiling no implementation can pass: every slot busy all the time.</summary>
    public double BoundImagesPerSecond => MeanGpuSeconds > 0 ? Slots / MeanGpuSeconds : double.PositiveInfinity;

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"S={Slots}, GPU {GpuMinMs}–{GpuMaxMs} ms");
}

/// <summary>One job measured from its 201 to the poll that saw it completed.</summary>
internal sealed record JobMeasurement(
    long JobId,
    int Images,
    TimeSpan SubmitLatency,
    TimeSpan Wall,
    double ServiceCpuMicrosPerImage,
    double BenchCpuMicrosPerImage,
    double PeakRssMib,
    double PeakRssBy201Mib,
    double RssAtEndMib)
{
    public double ImagesPerSecond => Images / Wall.TotalSeconds;
}

/// <summary>
/// The real service as a child process on a fresh SQLite file, warmed up with a small job so the
/// measured runs see steady state rather than the JIT. Disposing kills it and deletes the file.
/// </summary>
internal sealed class ServiceRun : IAsyncDisposable
{
    /// <summary>Clients poll every 100–250 ms; the short end keeps the completion time sharp.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private const int WarmUpImages = 32;

    private readonly ServiceProcess _service;
    private readonly HttpClient _http;
    private readonly string _folder;
    private readonly BenchEnvironment _environment;

    private ServiceRun(BenchEnvironment environment, ServiceProcess service, string folder, ServiceSettings settings)
    {
        _environment = environment;
        _service = service;
        _folder = folder;
        Settings = settings;
        _http = service.CreateClient();
        _http.Timeout = TimeSpan.FromMinutes(2);
        Api = new KcClient(_http);
    }

    public ServiceSettings Settings { get; }

    public KcClient Api { get; }

    public Uri BaseAddress => _service.BaseAddress;

    public double PeakRssMib => ProcessStats.PeakRssMib(_service.ProcessId);

    public long CpuMicroseconds => ProcessStats.CpuMicroseconds(_service.ProcessId);

    /// <summary>
    /// The settings every benchmarked service process runs with: the scenario's slots and GPU time,
    /// the store master, then <paramref name="scenarioSettings"/> and last the command line's <c>--set</c>.
    /// </summary>
    public static Dictionary<string, string?> Configuration(
        BenchEnvironment environment,
        ServiceSettings settings,
        string provider,
        string nodeId,
        IEnumerable<KeyValuePair<string, string>>? scenarioSettings = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["Node:Id"] = nodeId,
            ["Processing:AllowPrivateNetworks"] = "true",
            ["Processing:MaxConcurrency"] = settings.Slots.ToString(CultureInfo.InvariantCulture),
            ["Processing:GpuDelayMinMs"] = settings.GpuMinMs.ToString(CultureInfo.InvariantCulture),
            ["Processing:GpuDelayMaxMs"] = settings.GpuMaxMs.ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (environment.StoreMasterPath is { } storeMaster)
        {
            configuration["StoreMaster:CsvPath"] = storeMaster;
        }

        // The standard OpenTelemetry settings, read by the service's exporter.
        if (environment.OtlpSink is { } sink)
        {
            configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = sink.Endpoint.ToString().TrimEnd('/');
            configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        }

        foreach (var (key, value) in (scenarioSettings ?? []).Concat(environment.Options.ExtraServiceSettings))
        {
            configuration[key] = value;
        }

        return configuration;
    }

    public static async Task<ServiceRun> StartAsync(BenchEnvironment environment, string name, ServiceSettings settings, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(environment.TemporaryRoot, $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var configuration = Configuration(environment, settings, "Sqlite", $"bench-{name}-{Guid.NewGuid():N}");
        ServiceProcess service;
        try
        {
            service = await ServiceProcess.StartAsync($"Data Source={Path.Combine(folder, "kc.db")}", configuration, TimeSpan.FromSeconds(90));
        }
        catch (InvalidOperationException ex)
        {
            DeleteFolder(folder);
            throw new BenchFailureException($"the service did not start: {ex.Message}");
        }

        var run = new ServiceRun(environment, service, folder, settings);
        try
        {
            var warmUp = await run.Api.SubmitAsync(JobPayload.Build(environment.Photos, environment.StoreIds, WarmUpImages), cancellationToken);
            await run.Api.WaitForCompletionAsync(warmUp, PollInterval, TimeSpan.FromSeconds(60), cancellationToken);
            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Submits one job of <paramref name="imageCount"/> images and waits for it; <paramref name="whileRunning"/>
    /// runs from the 201 until the job is completed (its token is then cancelled) and is awaited before returning.
    /// </summary>
    public async Task<JobMeasurement> RunJobAsync(
        ImageCatalog images,
        IReadOnlyList<string> storeIds,
        int imageCount,
        CancellationToken cancellationToken,
        Func<Submitted, CancellationToken, Task>? whileRunning = null)
    {
        var body = JobPayload.Build(images, storeIds, imageCount);
        var serviceCpu = CpuMicroseconds;
        var benchCpu = Environment.CpuUsage.TotalTime;

        var job = await Api.SubmitAsync(body, cancellationToken);
        var peakBy201 = PeakRssMib;
        using var sideStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var side = whileRunning?.Invoke(job, sideStop.Token) ?? Task.CompletedTask;
        TimeSpan wall;
        try
        {
            wall = await Api.WaitForCompletionAsync(job, PollInterval, Timeout(imageCount), cancellationToken);
        }
        finally
        {
            await sideStop.CancelAsync();
            await side;
        }

        return new JobMeasurement(
            job.JobId,
            imageCount,
            job.Latency,
            wall,
            (CpuMicroseconds - serviceCpu) / (double)imageCount,
            (Environment.CpuUsage.TotalTime - benchCpu).TotalMicroseconds / imageCount,
            PeakRssMib,
            peakBy201,
            ProcessStats.RssMib(_service.ProcessId));
    }

    public async ValueTask DisposeAsync()
    {
        // Kept for the error report: a failure is only reported after this run is gone. A service
        // that died is waited for first, so its last lines (a crash's message) are read to the end.
        int? exitCode = _service.HasExited ? await _service.WaitForExitAsync(TimeSpan.FromSeconds(10)) : null;
        _environment.LastServiceOutput = string.Join('\n', _service.Output.TakeLast(40))
            + (exitCode is { } code ? $"\n(the service had exited before the benchmark stopped it: {DescribeExit(code)})" : "");
        _http.Dispose();
        await _service.DisposeAsync();
        DeleteFolder(_folder);
    }

    /// <summary>Generous: four times the ideal GPU time plus a floor of 200 images/s, plus two minutes.</summary>
    private TimeSpan Timeout(int imageCount) => TimeSpan.FromSeconds(
        120 + (imageCount / 200.0) + (4 * imageCount * Settings.MeanGpuSeconds / Settings.Slots));

    /// <summary>A process killed by a signal exits with 128 + its number (137: SIGKILL, as the kernel's out-of-memory killer sends).</summary>
    private static string DescribeExit(int code) =>
        code > 128 ? string.Create(CultureInfo.InvariantCulture, $"exit code {code}, killed by signal {code - 128}") : string.Create(CultureInfo.InvariantCulture, $"exit code {code}");

    private static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException ex)
        {
            Trace.TraceWarning($"could not delete {folder}: {ex.Message}");
        }
    }
}
