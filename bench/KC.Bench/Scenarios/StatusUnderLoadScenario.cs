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
            async (submitted, stop) => latencies.AddRange(await StatusPollers.RunAsync(service.BaseAddress, submitted.JobId, stop)));

        var efficiency = job.ImagesPerSecond / settings.BoundImagesPerSecond;
        var percentiles = StatusPollers.Summarise(latencies);
        BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
            $"status under load: {percentiles.Count:#,0} polls, p50 {percentiles.At(50):0.0} ms, p99 {percentiles.At(99):0.0} ms; efficiency {efficiency:0.000}"));

        var workload = Workloads.Describe(images, settings) + $", {StatusPollers.Clients} pollers";
        return
        [
            ResultRow.ForJob("Status under load", workload, "p99 ms", percentiles.At(99), "0.0", Target.Maximum(10), job,
                StatusPollers.Describe(percentiles)),
            ResultRow.ForJob("Status under load", workload, "efficiency", efficiency, "0.000", null, job,
                "the efficiency run with the pollers on top"),
        ];
    }
}
