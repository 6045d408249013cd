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
    /// <remarks>
    /// Each poller is a thread of its own making blocking requests: this process also serves the
    /// photos, and its thread pool is busy with that, so a poll whose response waited there for a
    /// pool thread would time the benchmark's own queue, not KC.
    /// </remarks>
    public static async Task<List<double>> RunAsync(Uri baseAddress, long jobId, CancellationToken stop)
    {
        var pollers = Enumerable.Range(0, Clients).Select(i => Poller(
            baseAddress, jobId, TimeSpan.FromMilliseconds(i * ServiceRun.PollInterval.TotalMilliseconds / Clients), stop)).ToList();
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
    /// One client on a thread of its own: its own connection, a request every poll interval, each
    /// one timed end to end. A plain HttpClient rather than KC.Client: the timed span is the request
    /// and its body, with no parsing of the client's own inside it.
    /// </summary>
    private static Task<List<double>> Poller(Uri baseAddress, long jobId, TimeSpan offset, CancellationToken stop)
    {
        var done = new TaskCompletionSource<List<double>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(Poll(baseAddress, jobId, offset, stop));
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "status poller",
        };
        thread.Start();
        return done.Task;
    }

    private static List<double> Poll(Uri baseAddress, long jobId, TimeSpan offset, CancellationToken stop)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1 };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress };
        var uri = KcClient.StatusUri(jobId);
        var samples = new List<double>();
        var connected = false;
        try
        {
            if (stop.WaitHandle.WaitOne(offset))
            {
                return samples;
            }

            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                using (var request = new HttpRequestMessage(HttpMethod.Get, uri))
                using (var response = client.Send(request, stop))
                {
                    response.Content.ReadAsStream(stop).CopyTo(Stream.Null);
                    response.EnsureSuccessStatusCode();
                }

                // The first request also opens the connection, which a polling client pays once.
                if (connected)
                {
                    samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                connected = true;
                if (stop.WaitHandle.WaitOne(ServiceRun.PollInterval))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The job completed; a request cut short then is not a sample.
        }

        return samples;
    }
}
