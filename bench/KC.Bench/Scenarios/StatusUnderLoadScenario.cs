using System.Diagnostics;
using System.Globalization;
using KC.Bench.Reporting;

namespace KC.Bench.Scenarios;

/// <summary>
/// The S = 256 efficiency workload with 20 clients polling the job's status the whole time: how
/// fast status answers while the service is busy, and what the polling costs the run.
/// </summary>
internal static class StatusUnderLoadScenario
{
    private const int Slots = 256;
    private const int Pollers = 20;

    public static async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var settings = new ServiceSettings(Slots);
        var images = environment.Sizes.StatusImages;
        await using var service = await ServiceRun.StartAsync(environment, "status", settings, cancellationToken);

        var latencies = new List<double>();
        var job = await service.RunJobAsync(
            environment.Photos,
            environment.StoreIds,
            images,
            cancellationToken,
            async (submitted, stop) =>
            {
                // Staggered, so the 20 clients do not all fire in the same millisecond every period.
                var clients = Enumerable.Range(0, Pollers).Select(i => PollAsync(
                    service.BaseAddress, submitted.JobId, TimeSpan.FromMilliseconds(i * ServiceRun.PollInterval.TotalMilliseconds / Pollers), stop));
                foreach (var samples in await Task.WhenAll(clients))
                {
                    latencies.AddRange(samples);
                }
            });

        if (latencies.Count == 0)
        {
            throw new BenchFailureException("the job completed before any status poll was timed");
        }

        var efficiency = job.ImagesPerSecond / settings.BoundImagesPerSecond;
        var percentiles = new Percentiles(latencies);
        BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
            $"status under load: {percentiles.Count:#,0} polls, p50 {percentiles.At(50):0.0} ms, p99 {percentiles.At(99):0.0} ms; efficiency {efficiency:0.000}"));

        var workload = Workloads.Describe(images, settings) + $", {Pollers} pollers";
        return
        [
            ResultRow.ForJob("Status under load", workload, "p99 ms", percentiles.At(99), "0.0", Target.Maximum(10), job,
                string.Create(CultureInfo.InvariantCulture,
                    $"p50 {percentiles.At(50):0.0} ms, p95 {percentiles.At(95):0.0} ms, max {percentiles.Max:0.0} ms over {percentiles.Count:#,0} polls, each client every {ServiceRun.PollInterval.TotalMilliseconds:0} ms")),
            ResultRow.ForJob("Status under load", workload, "efficiency", efficiency, "0.000", null, job,
                "the efficiency run with the pollers on top"),
        ];
    }

    /// <summary>One client: its own connection, a request every poll interval, each one timed end to end.</summary>
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
