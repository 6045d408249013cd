using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace KC.Bench;

/// <summary>Bytes moved in a measured window, and the photos they amount to.</summary>
/// <param name="RampUp">From the start to the window: until every connection had its first response.</param>
internal sealed record CeilingMeasurement(int Connections, TimeSpan RampUp, TimeSpan Window, long Bytes, double MeanPhotoBytes, double BenchCpuMicros)
{
    public double MegabytesPerSecond => Bytes / 1e6 / Window.TotalSeconds;

    /// <summary>Bytes/s over the mean photo: at this many connections most photos are mid-body at any moment, so completions in a short window say less.</summary>
    public double PhotosPerSecond => Bytes / MeanPhotoBytes / Window.TotalSeconds;

    public double BenchCpuMicrosPerPhoto => BenchCpuMicros / (Bytes / MeanPhotoBytes);
}

/// <summary>
/// How fast this machine moves the photos over loopback with no processing at all: what the
/// image server and a client that throws the bytes away can do on the cores the service would
/// share with them. KC's byte rate is read against it.
/// </summary>
internal static partial class LoopbackCeiling
{
    private const int BufferBytes = 64 * 1024;

    /// <summary>
    /// The window opens once every connection has had its first response headers, and no sooner
    /// than this: thousands of connections take a while to open, and counting from the first
    /// request would measure the ramp rather than the flow.
    /// </summary>
    private static readonly TimeSpan MinRampUp = TimeSpan.FromSeconds(1);

    /// <summary>A machine too busy to open every connection in this long is measured as it is.</summary>
    private static readonly TimeSpan MaxRampUp = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan RampUpPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// <paramref name="connections"/> loops on one <see cref="HttpClient"/> (a plain
    /// <see cref="SocketsHttpHandler"/> allowing that many connections), each GETting the catalog's
    /// URLs in turn and reading the body through its own 64 KiB buffer; bytes are counted as they arrive.
    /// </summary>
    public static async Task<CeilingMeasurement> MeasureAsync(ImageCatalog catalog, int connections, TimeSpan window, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
        };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var counters = new Counters();
        var loops = Enumerable.Range(0, connections).Select(_ => Task.Run(() => DownloadLoopAsync(client, catalog, counters, stop.Token), CancellationToken.None)).ToList();

        try
        {
            var rampUp = await RampUpAsync(counters, connections, cancellationToken);
            var bytesBefore = Interlocked.Read(ref counters.Bytes);
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var started = Stopwatch.GetTimestamp();
            await Task.Delay(window, cancellationToken);
            var bytes = Interlocked.Read(ref counters.Bytes) - bytesBefore;
            var elapsed = Stopwatch.GetElapsedTime(started);
            var cpu = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMicroseconds;
            return new CeilingMeasurement(connections, rampUp, elapsed, bytes, catalog.BodyBytes.Average(), cpu);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(loops);
        }
    }

    /// <summary>
    /// The same with <c>wrk</c> (two threads, <paramref name="connections"/> connections, the catalog's
    /// URLs in turn), when it is on the PATH; null otherwise. wrk counts from its start, so it runs
    /// for <paramref name="rampUp"/> (what the client above needed) longer and its figure still includes that ramp.
    /// </summary>
    public static async Task<CeilingMeasurement?> MeasureWithWrkAsync(
        ImageCatalog catalog, int connections, TimeSpan rampUp, TimeSpan window, string scratchFolder, CancellationToken cancellationToken)
    {
        if (FindOnPath("wrk") is not { } wrk)
        {
            return null;
        }

        var script = Path.Combine(scratchFolder, $"wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, WrkScript(catalog), cancellationToken);
        try
        {
            var start = new ProcessStartInfo(wrk)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "-t2", $"-c{connections}", string.Create(CultureInfo.InvariantCulture, $"-d{(int)Math.Ceiling((rampUp + window).TotalSeconds)}s"),
                "--timeout", "60s", "-s", script, catalog.Url(0),
            })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new BenchFailureException("wrk did not start");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            var match = WrkSummary().Match(await output);
            if (process.ExitCode != 0 || !match.Success)
            {
                throw new BenchFailureException($"wrk exited {process.ExitCode} without a summary: {(await errors).Trim()}");
            }

            var bytes = long.Parse(match.Groups["bytes"].Value, CultureInfo.InvariantCulture);
            var micros = long.Parse(match.Groups["micros"].Value, CultureInfo.InvariantCulture);
            return new CeilingMeasurement(connections, TimeSpan.Zero, TimeSpan.FromMicroseconds(micros), bytes, catalog.BodyBytes.Average(), BenchCpuMicros: double.NaN);
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static async Task<TimeSpan> RampUpAsync(Counters counters, int connections, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(MinRampUp, cancellationToken);
        while (Volatile.Read(ref counters.Responding) < connections && Stopwatch.GetElapsedTime(started) < MaxRampUp)
        {
            await Task.Delay(RampUpPoll, cancellationToken);
        }

        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task DownloadLoopAsync(HttpClient client, ImageCatalog catalog, Counters counters, CancellationToken stop)
    {
        var buffer = new byte[BufferBytes];
        var responding = false;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var index = (int)(Interlocked.Increment(ref counters.Requests) % int.MaxValue);
                using var response = await client.GetAsync(new Uri(catalog.Url(index)), HttpCompletionOption.ResponseHeadersRead, stop);
                response.EnsureSuccessStatusCode();
                if (!responding)
                {
                    responding = true;
                    Interlocked.Increment(ref counters.Responding);
                }

                await using var body = await response.Content.ReadAsStreamAsync(stop);
                int read;
                while ((read = await body.ReadAsync(buffer, stop)) > 0)
                {
                    Interlocked.Add(ref counters.Bytes, read);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The window closed; a body cut short now is not counted against anything.
        }
    }

    /// <summary>Requests the catalog's URLs in turn (each thread its own count) and prints the exact totals at the end.</summary>
    private static string WrkScript(ImageCatalog catalog)
    {
        var script = new StringBuilder("local paths = {\n");
        for (var i = 0; i < catalog.DistinctImages; i++)
        {
            var path = new Uri(catalog.Url(i)).AbsolutePath;
            script.Append(CultureInfo.InvariantCulture, $"  \"{path}\",\n");
        }

        script.Append("""
            }
            local n = 0
            request = function()
              n = n + 1
              return wrk.format("GET", paths[(n % #paths) + 1] .. "?w=" .. n)
            end
            done = function(summary, latency, requests)
              io.write(string.format("kc-ceiling bytes=%d micros=%d\n", summary.bytes, summary.duration))
            end

            """);
        return script.ToString();
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);

    [GeneratedRegex(@"kc-ceiling bytes=(?<bytes>\d+) micros=(?<micros>\d+)")]
    private static partial Regex WrkSummary();

    private sealed class Counters
    {
        public long Requests;
        public long Bytes;

        /// <summary>Loops that have had their first response headers.</summary>
        public int Responding;
    }
}
