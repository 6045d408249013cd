using System.Diagnostics;
using System.Globalization;
using KC.Bench.Reporting;

namespace KC.Bench.Scenarios;

/// <summary>
/// Clients polling one job's status while the service works, as a dashboard's users do: each on
/// its own connection, one request every poll interval, every request timed end to end.
/// </summary>
internal static class StatusPollers
{
    public const int Clients = 20;

    /// <summary>
    /// Runs <see cref="Clients"/> pollers, staggered so they do not all fire in the same
    /// millisecond every period, until <paramref name="stop"/>; returns every timed poll in ms.
    /// </summary>
    public static async Task<List<double>> RunAsync(Uri baseAddress, long jobId, CancellationToken stop)
    {
        var pollers = Enumerable.Range(0, Clients).Select(i => PollAsync(
            baseAddress, jobId, TimeSpan.FromMilliseconds(i * ServiceRun.PollInterval.TotalMilliseconds / Clients), stop));
        var latencies = new List<double>();
        foreach (var samples in await Task.WhenAll(pollers))
        {
            latencies.AddRange(samples);
        }

        return latencies;
    }

    /// <summary>The percentiles of the polls; a job that completed before any poll was timed is an error of the run.</summary>
    public static Percentiles Summarise(IReadOnlyCollection<double> latencies) => latencies.Count > 0
        ? new Percentiles(latencies)
        : throw new BenchFailureException("the job completed before any status poll was timed");

    /// <summary>The notes of a p99 row.</summary>
    public static string Describe(Percentiles latencies) => string.Create(CultureInfo.InvariantCulture,
        $"p50 {latencies.At(50):0.0} ms, p95 {latencies.At(95):0.0} ms, max {latencies.Max:0.0} ms over {latencies.Count:#,0} polls by {Clients} clients, each every {ServiceRun.PollInterval.TotalMilliseconds:0} ms");

    /// <summary>
    /// One client: its own connection, a request every poll interval, each one timed end to end.
    /// A plain HttpClient rather than KC.Client: the timed span is the request and its body, with
    /// no parsing of the client's own inside it.
    /// </summary>
    private static async Task<List<double>> PollAsync(Uri baseAddress, long jobId, TimeSpan offset, CancellationToken stop)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1 };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress };
        var uri = KcClient.StatusUri(jobId);
        var samples = new List<double>();
        var connected = false;
        try
        {
            await Task.Delay(offset, stop);
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                using (var response = await client.GetAsync(uri, stop))
                {
                    await response.Content.ReadAsByteArrayAsync(stop);
                    response.EnsureSuccessStatusCode();
                }

                // The first request also opens the connection, which a polling client pays once.
                if (connected)
                {
                    samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                connected = true;
                await Task.Delay(ServiceRun.PollInterval, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The job completed; a request cut short then is not a sample.
        }

        return samples;
    }
}
