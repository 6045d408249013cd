using System.Globalization;
using KC.Bench.Reporting;
using KC.TestSupport;

namespace KC.Bench.Scenarios;

/// <summary>
/// Several processes on one database, as the service is deployed when one node is not enough: an
/// API node that only answers clients and N worker nodes that only claim work. First the same job
/// on 1, 2 and 3 workers (images/s, against N × S ÷ mean GPU time, and how the images were split);
/// then how soon an idle worker notices a new job, with and without PostgreSQL's NOTIFY to wake it.
/// Each measurement has a database of its own; its processes are killed and the database removed after it.
/// </summary>
internal static class ScaleScenario
{
    private const int Slots = 64;

    /// <summary>Enough for every worker's first claims, so each one has run the whole pipeline before the clock starts.</summary>
    private const int WarmUpImagesPerWorker = 256;

    private const int WakeWarmUpJobs = 3;

    /// <summary>A status poll this often puts at most 5 ms of the client's own on a wake time.</summary>
    private static readonly TimeSpan WakePollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>The service's default <c>Processing:IdlePollMilliseconds</c>.</summary>
    private const int DefaultIdlePollMs = 500;

    /// <summary>Long enough that a wake within it can only come from NOTIFY.</summary>
    private const int LongIdlePollMs = 10_000;

    public static async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var rows = new List<ResultRow>();
        if (PostgresServer.UnavailableReason is { } reason)
        {
            BenchLog.Line($"scale: the PostgreSQL measurements are skipped: {reason}");
            rows.Add(Skipped("Scale", "1 API + 1–3 workers, PostgreSQL", reason));
            rows.Add(Skipped("Wake latency", "1 API + 1 worker, PostgreSQL", reason));
        }
        else
        {
            await using var server = await PostgresServer.StartAsync();
            double? oneWorker = null;
            foreach (var workers in environment.Sizes.ScaleWorkers)
            {
                var (measured, imagesPerSecond) = await MeasureThroughputAsync(environment, server, workers, oneWorker, cancellationToken);
                rows.AddRange(measured);
                if (workers == 1)
                {
                    oneWorker = imagesPerSecond;
                }
            }

            await using (var database = await ScratchDatabase.PostgresAsync(server, "wake_default"))
            {
                rows.AddRange(await MeasureWakeAsync(environment, database, idlePollMs: null, cancellationToken));
            }

            await using (var database = await ScratchDatabase.PostgresAsync(server, "wake_long_poll"))
            {
                rows.AddRange(await MeasureWakeAsync(environment, database, LongIdlePollMs, cancellationToken));
            }
        }

        // SQLite has no way to tell another process about new work: its worker finds it on its next idle poll.
        await using (var database = ScratchDatabase.Sqlite(environment, "wake-sqlite"))
        {
            rows.AddRange(await MeasureWakeAsync(environment, database, idlePollMs: null, cancellationToken));
        }

        return rows;
    }

    /// <summary>One job on 1 API node and <paramref name="workers"/> worker nodes; returns the rows and the images/s.</summary>
    private static async Task<(IReadOnlyList<ResultRow> Rows, double ImagesPerSecond)> MeasureThroughputAsync(
        BenchEnvironment environment, PostgresServer server, int workers, double? oneWorker, CancellationToken cancellationToken)
    {
        var settings = new ServiceSettings(Slots);
        var images = environment.Sizes.ScaleImages;
        var bound = workers * settings.BoundImagesPerSecond;
        await using var database = await ScratchDatabase.PostgresAsync(server, $"scale_{workers}");
        await using var cluster = await Cluster.StartAsync(environment, database, workers, settings, new Dictionary<string, string>(), cancellationToken);

        var warmUpImages = WarmUpImagesPerWorker * workers;
        var warmUp = await cluster.Api.SubmitAsync(JobPayload.Build(environment.Photos, environment.StoreIds, warmUpImages), cancellationToken);
        await cluster.Api.WaitForCompletionAsync(warmUp, ServiceRun.PollInterval, TimeSpan.FromSeconds(120), cancellationToken);
        var before = await cluster.NodesAsync(cancellationToken);
        var idle = cluster.WorkerIds.Where(id => before.GetValueOrDefault(id)?.Settled is null or 0).ToList();
        if (idle.Count > 0)
        {
            BenchLog.Line($"scale {workers} worker(s): the warm-up left {string.Join(", ", idle)} without work");
        }

        var body = JobPayload.Build(environment.Photos, environment.StoreIds, images);
        var machineBefore = MachineCpu.Read();
        var nodesCpu = cluster.CpuMicroseconds;
        var postgresCpu = PostgresCpuMicroseconds(server);
        var benchCpu = Environment.CpuUsage.TotalTime;

        var job = await cluster.Api.SubmitAsync(body, cancellationToken);
        var wall = await cluster.Api.WaitForCompletionAsync(job, ServiceRun.PollInterval, Timeout(images, settings, workers), cancellationToken);

        var machineShare = MachineCpu.BusyCores(machineBefore, MachineCpu.Read());
        nodesCpu = cluster.CpuMicroseconds - nodesCpu;
        postgresCpu = PostgresCpuMicroseconds(server) - postgresCpu;
        var benchMicros = (Environment.CpuUsage.TotalTime - benchCpu).TotalMicroseconds;
        var peakRss = cluster.PeakRssMib;

        await cluster.Api.VerifyResultsAsync(job.JobId, environment.Photos, images, cancellationToken);
        var after = await cluster.NodesAsync(cancellationToken);
        var split = cluster.WorkerIds
            .Select(id => (Id: id, Settled: (after.GetValueOrDefault(id)?.Settled ?? 0) - (before.GetValueOrDefault(id)?.Settled ?? 0)))
            .ToList();
        var apiSettled = (after.GetValueOrDefault(Cluster.ApiId)?.Settled ?? 0) - (before.GetValueOrDefault(Cluster.ApiId)?.Settled ?? 0);
        var leasesLeft = after.Values.Sum(n => n.LeasesHeld);

        var imagesPerSecond = images / wall.TotalSeconds;
        var efficiency = imagesPerSecond / bound;
        var seconds = wall.TotalSeconds;
        var splitText = string.Join(", ", split.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Id} {s.Settled:#,0}")));
        var counted = split.Sum(s => s.Settled);
        var oddities = (counted != images ? string.Create(CultureInfo.InvariantCulture, $"; the workers counted {counted:#,0} outcomes") : "")
            + (apiSettled != 0 ? string.Create(CultureInfo.InvariantCulture, $"; the API node settled {apiSettled:#,0}") : "")
            + (leasesLeft != 0 ? string.Create(CultureInfo.InvariantCulture, $"; {leasesLeft} leases still held") : "");
        var cpuText = string.Create(CultureInfo.InvariantCulture,
            $"CPU over the job: {machineShare:0.00} of {Environment.ProcessorCount} cores busy (KC nodes {nodesCpu / 1e6 / seconds:0.00}, PostgreSQL {postgresCpu / 1e6 / seconds:0.00}, bench {benchMicros / 1e6 / seconds:0.00})");
        var speedUp = oneWorker is { } single && workers > 1
            ? string.Create(CultureInfo.InvariantCulture, $"; {imagesPerSecond / single:0.00}× the images/s of 1 worker")
            : "";

        BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
            $"scale {workers} worker(s): {images:#,0} images in {seconds:0.0} s, {imagesPerSecond:#,0} images/s of a bound of {bound:#,0} ({efficiency:0.000}); split {splitText}; {cpuText}"));

        var workload = string.Create(CultureInfo.InvariantCulture,
            $"{images:#,0} images, 1 API + {workers} worker{(workers == 1 ? "" : "s")}, {settings.Describe()} per worker, PostgreSQL");
        var throughput = new ResultRow("Scale", workload, "images/s", imagesPerSecond, "#,0",
            WallSeconds: seconds,
            ImagesPerSecond: imagesPerSecond,
            PeakRssMib: peakRss,
            ServiceCpuMicrosPerImage: nodesCpu / (double)images,
            BenchCpuMicrosPerImage: benchMicros / images,
            Notes: string.Create(CultureInfo.InvariantCulture,
                $"bound {bound:#,0} images/s ({workers} × {Slots} ÷ {settings.MeanGpuSeconds:0.00} s); split {splitText}{oddities}; results verified"));
        return (
        [
            throughput,
            throughput with
            {
                Metric = "efficiency",
                Value = efficiency,
                Format = "0.000",
                Notes = string.Create(CultureInfo.InvariantCulture, $"images/s ÷ bound {bound:#,0}{speedUp}; {cpuText}; submit {job.Latency.TotalMilliseconds:0} ms"),
            },
        ],
        imagesPerSecond);
    }

    /// <summary>
    /// 1-image jobs on an idle cluster of 1 API node and 1 worker: the time from the 201 to the status
    /// poll that sees the job completed, with no GPU time and outcomes written at once, so what is left
    /// is how soon the worker noticed the job, plus one claim, one download and two small writes.
    /// </summary>
    private static async Task<IReadOnlyList<ResultRow>> MeasureWakeAsync(
        BenchEnvironment environment, ScratchDatabase database, int? idlePollMs, CancellationToken cancellationToken)
    {
        var settings = new ServiceSettings(Slots, GpuMinMs: 0, GpuMaxMs: 0);
        var scenarioSettings = new Dictionary<string, string> { ["Processing:OutcomeFlushMilliseconds"] = "1" };
        if (idlePollMs is { } poll)
        {
            scenarioSettings["Processing:IdlePollMilliseconds"] = poll.ToString(CultureInfo.InvariantCulture);
        }

        var repeats = environment.Sizes.WakeRepeats;
        var body = JobPayload.Build(environment.Photos, environment.StoreIds, 1);
        await using var cluster = await Cluster.StartAsync(environment, database, 1, settings, scenarioSettings, cancellationToken);

        for (var i = 0; i < WakeWarmUpJobs; i++)
        {
            var warmUp = await cluster.Api.SubmitAsync(body, cancellationToken);
            await cluster.Api.WaitForCompletionAsync(warmUp, WakePollInterval, TimeSpan.FromSeconds(60), cancellationToken);
        }

        var samples = new List<double>(repeats);
        for (var i = 0; i < repeats; i++)
        {
            // Evenly spread pauses, so the submits fall at every point of the default idle poll's period.
            await Task.Delay(TimeSpan.FromMilliseconds(2 * DefaultIdlePollMs + (i * DefaultIdlePollMs / repeats)), cancellationToken);
            var job = await cluster.Api.SubmitAsync(body, cancellationToken);
            var wake = await cluster.Api.WaitForCompletionAsync(job, WakePollInterval, TimeSpan.FromSeconds(60), cancellationToken);
            samples.Add(wake.TotalMilliseconds);
            await cluster.Api.VerifyResultsAsync(job.JobId, environment.Photos, 1, cancellationToken);
        }

        var percentiles = new Percentiles(samples);
        var pollText = idlePollMs is { } longPoll
            ? string.Create(CultureInfo.InvariantCulture, $"idle poll {longPoll:#,0} ms")
            : string.Create(CultureInfo.InvariantCulture, $"idle poll {DefaultIdlePollMs} ms (default)");
        var workload = $"1-image job, 1 API + 1 worker, {database.Name}, {pollText}";
        var notes = string.Create(CultureInfo.InvariantCulture,
            $"{repeats} jobs on an idle cluster, each submitted 1.0–1.5 s after the last one completed; min {samples.Min():0} ms; status polled every {WakePollInterval.TotalMilliseconds:0} ms; GPU 0 ms, outcome flush 1 ms; results verified");
        BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
            $"wake latency, {database.Name}, {pollText}: median {percentiles.At(50):0} ms, max {percentiles.Max:0} ms over {repeats} jobs ({string.Join(", ", samples.Select(s => s.ToString("0", CultureInfo.InvariantCulture)))} ms)"));
        var peakRss = cluster.PeakRssMib;
        return
        [
            new ResultRow("Wake latency", workload, "median ms", percentiles.At(50), "0", PeakRssMib: peakRss, Notes: notes),
            new ResultRow("Wake latency", workload, "max ms", percentiles.Max, "0", PeakRssMib: peakRss, Notes: notes),
        ];
    }

    private static ResultRow Skipped(string scenario, string workload, string reason) =>
        new(scenario, workload, "skipped", double.NaN, "0", Notes: reason);

    /// <summary>As generous as a single service run's: four times the ideal GPU time, a floor of 200 images/s, and two minutes.</summary>
    private static TimeSpan Timeout(int images, ServiceSettings settings, int workers) => TimeSpan.FromSeconds(
        120 + (images / 200.0) + (4 * images * settings.MeanGpuSeconds / (settings.Slots * workers)));

    /// <summary>
    /// CPU time of the PostgreSQL server so far: its backends and the server process, with the children
    /// it has already reaped (autovacuum workers come and go). Zero when /proc does not show it.
    /// </summary>
    private static long PostgresCpuMicroseconds(PostgresServer server)
    {
        try
        {
            var postmaster = int.Parse(File.ReadLines(Path.Combine(server.Folder, "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture);
            long ticks = 0;
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    || ProcStat.TryRead(pid) is not { } stat)
                {
                    continue;
                }

                if (pid == postmaster)
                {
                    ticks += stat.OwnTicks + stat.ReapedChildrenTicks;
                }
                else if (stat.ParentId == postmaster)
                {
                    ticks += stat.OwnTicks;
                }
            }

            return ticks * 1_000_000 / ProcStat.TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>The fields of <c>/proc/&lt;pid&gt;/stat</c> that add up a process tree's CPU time.</summary>
    private sealed record ProcStat(int ParentId, long OwnTicks, long ReapedChildrenTicks)
    {
        /// <summary>USER_HZ, the unit of these fields: 100 on every mainstream Linux build.</summary>
        public const long TicksPerSecond = 100;

        /// <summary>Null when the process has gone since /proc was listed.</summary>
        public static ProcStat? TryRead(int pid)
        {
            string text;
            try
            {
                text = File.ReadAllText($"/proc/{pid}/stat");
            }
            catch (IOException)
            {
                return null;
            }

            // After the command name: state, ppid (field 4), … utime, stime, cutime, cstime (fields 14–17).
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
            return new ProcStat((int)Field(4), Field(14) + Field(15), Field(16) + Field(17));
        }
    }

    /// <summary>All CPUs' busy and total time from <c>/proc/stat</c>: how much of the machine a span kept busy, whoever used it.</summary>
    private readonly record struct MachineCpu(long Busy, long Total)
    {
        public static MachineCpu Read()
        {
            // cpu user nice system idle iowait irq softirq steal …; guest time is counted in user already.
            var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Skip(1).Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var total = ticks.Sum();
            return new MachineCpu(total - ticks[3] - ticks[4], total);
        }

        /// <summary>Cores kept busy on average between the two readings.</summary>
        public static double BusyCores(MachineCpu start, MachineCpu end) =>
            end.Total == start.Total ? 0 : Environment.ProcessorCount * (end.Busy - start.Busy) / (double)(end.Total - start.Total);
    }

    /// <summary>A fresh database for one measurement, removed on dispose: one on the PostgreSQL server, or a SQLite file.</summary>
    private sealed class ScratchDatabase : IAsyncDisposable
    {
        private readonly Func<Task> _remove;

        private ScratchDatabase(string provider, string name, string connectionString, Func<Task> remove)
        {
            Provider = provider;
            Name = name;
            ConnectionString = connectionString;
            _remove = remove;
        }

        /// <summary>The service's <c>Database:Provider</c>.</summary>
        public string Provider { get; }

        /// <summary>For the table.</summary>
        public string Name { get; }

        public string ConnectionString { get; }

        public static async Task<ScratchDatabase> PostgresAsync(PostgresServer server, string prefix)
        {
            var connectionString = await server.CreateDatabaseAsync($"bench_{prefix}");
            return new ScratchDatabase("Postgres", "PostgreSQL", connectionString, () => server.DropDatabaseAsync(connectionString));
        }

        public static ScratchDatabase Sqlite(BenchEnvironment environment, string name)
        {
            var folder = Path.Combine(environment.TemporaryRoot, $"{name}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(folder);
            return new ScratchDatabase("Sqlite", "SQLite", $"Data Source={Path.Combine(folder, "kc.db")}", () =>
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                    // A leftover file under the scratch folder is harmless; the environment removes the folder at the end.
                }

                return Task.CompletedTask;
            });
        }

        public async ValueTask DisposeAsync() => await _remove();
    }

    /// <summary>A node as <c>GET /api/nodes</c> shows it.</summary>
    private sealed record NodeCounts(long Settled, int LeasesHeld);

    /// <summary>
    /// One API node and worker processes on one database, started one after another so the first
    /// applies the migrations. Disposing kills every process; the database is the caller's.
    /// </summary>
    private sealed class Cluster : IAsyncDisposable
    {
        public const string ApiId = "bench-api";

        private readonly BenchEnvironment _environment;
        private readonly List<(string Id, ServiceProcess Process)> _nodes;
        private readonly HttpClient _http;

        private Cluster(BenchEnvironment environment, List<(string Id, ServiceProcess Process)> nodes)
        {
            _environment = environment;
            _nodes = nodes;
            _http = nodes[0].Process.CreateClient();
            _http.Timeout = TimeSpan.FromMinutes(2);
            Api = new KcClient(_http);
        }

        /// <summary>The API node's client: every submit, status poll and result goes through it.</summary>
        public KcClient Api { get; }

        public IReadOnlyList<string> WorkerIds => [.. _nodes.Skip(1).Select(n => n.Id)];

        /// <summary>User plus system CPU time of every node so far, in microseconds.</summary>
        public long CpuMicroseconds => _nodes.Sum(n => ProcessStats.CpuMicroseconds(n.Process.ProcessId));

        /// <summary>The highest peak RSS of any one node: each is a process of its own, sized on its own.</summary>
        public double PeakRssMib => _nodes.Max(n => ProcessStats.PeakRssMib(n.Process.ProcessId));

        public static async Task<Cluster> StartAsync(
            BenchEnvironment environment,
            ScratchDatabase database,
            int workers,
            ServiceSettings settings,
            IReadOnlyDictionary<string, string> scenarioSettings,
            CancellationToken cancellationToken)
        {
            var nodes = new List<(string Id, ServiceProcess Process)>();
            try
            {
                foreach (var (id, role) in Enumerable.Range(1, workers).Select(i => ($"bench-worker-{i}", "worker")).Prepend((ApiId, "api")))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    nodes.Add((id, await StartNodeAsync(environment, database, id, role, settings, scenarioSettings)));
                }

                return new Cluster(environment, nodes);
            }
            catch
            {
                await StopAsync(environment, nodes);
                throw;
            }
        }

        /// <summary>Every node's outcomes recorded and leases held, by node id.</summary>
        public async Task<Dictionary<string, NodeCounts>> NodesAsync(CancellationToken cancellationToken) =>
            (await Api.NodesAsync(cancellationToken)).ToDictionary(
                node => node.NodeId,
                node => new NodeCounts(node.ImagesSettled, node.LeasesHeld),
                StringComparer.Ordinal);

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await StopAsync(_environment, _nodes);
        }

        private static async Task<ServiceProcess> StartNodeAsync(
            BenchEnvironment environment,
            ScratchDatabase database,
            string id,
            string role,
            ServiceSettings settings,
            IReadOnlyDictionary<string, string> scenarioSettings)
        {
            var configuration = ServiceRun.Configuration(
                environment, settings, database.Provider, id, scenarioSettings.Prepend(new KeyValuePair<string, string>("Node:Role", role)));

            try
            {
                return await ServiceProcess.StartAsync(database.ConnectionString, configuration, TimeSpan.FromSeconds(90));
            }
            catch (InvalidOperationException ex)
            {
                throw new BenchFailureException($"the {role} node {id} did not start: {ex.Message}");
            }
        }

        /// <summary>Kills every node, keeping the last lines each wrote for the error report.</summary>
        private static async Task StopAsync(BenchEnvironment environment, List<(string Id, ServiceProcess Process)> nodes)
        {
            if (nodes.Count == 0)
            {
                return;
            }

            environment.LastServiceOutput = string.Join('\n', nodes.SelectMany(node =>
                node.Process.Output.TakeLast(15).Select(line => $"{node.Id}: {line}")
                    .Concat(node.Process.HasExited ? [$"{node.Id}: (had exited before the benchmark stopped it)"] : [])));
            foreach (var (_, process) in nodes)
            {
                await process.DisposeAsync();
            }
        }
    }
}
