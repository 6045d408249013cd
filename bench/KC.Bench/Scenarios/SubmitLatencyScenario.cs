using System.Globalization;
using KC.Bench.Reporting;

namespace KC.Bench.Scenarios;

/// <summary>
/// Time from sending a large submit to its 201, one submit after another on a service running with
/// its defaults, so earlier submits are being processed meanwhile, as in production.
/// </summary>
internal static class SubmitLatencyScenario
{
    private const int WarmUpImages = 1_000;

    public static async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var settings = new ServiceSettings(64);
        await using var service = await ServiceRun.StartAsync(environment, "submit", settings, cancellationToken);

        // The first large body exercises parser and insert paths the service's own small warm-up does not.
        await service.Api.SubmitAsync(JobPayload.Build(environment.Photos, environment.StoreIds, WarmUpImages), cancellationToken);

        var rows = new List<ResultRow>();
        foreach (var (images, repeats) in environment.Sizes.Submits)
        {
            var body = JobPayload.Build(environment.Photos, environment.StoreIds, images);
            var latencies = new List<double>(repeats);
            long serviceCpu = 0;
            for (var i = 0; i < repeats; i++)
            {
                var cpuBefore = service.CpuMicroseconds;
                var submitted = await service.Api.SubmitAsync(body, cancellationToken);
                serviceCpu += service.CpuMicroseconds - cpuBefore;
                latencies.Add(submitted.Latency.TotalMilliseconds);
            }

            var percentiles = new Percentiles(latencies);
            var workload = string.Create(CultureInfo.InvariantCulture, $"{images:#,0}-image job × {repeats}, {settings.Describe()}");
            var cpuPerImage = serviceCpu / (double)(images * repeats);
            var notes = string.Create(CultureInfo.InvariantCulture,
                $"{repeats} submits of {body.Length / 1_048_576.0:0.00} MiB, one after another; max {percentiles.Max:0} ms");
            BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
                $"submit {images:#,0} images × {repeats}: median {percentiles.At(50):0} ms, p95 {percentiles.At(95):0} ms"));

            rows.Add(new ResultRow("Submit latency", workload, "median ms", percentiles.At(50), "0", TargetFor(images),
                PeakRssMib: service.PeakRssMib, ServiceCpuMicrosPerImage: cpuPerImage, Notes: notes));
            rows.Add(new ResultRow("Submit latency", workload, "p95 ms", percentiles.At(95), "0",
                PeakRssMib: service.PeakRssMib, ServiceCpuMicrosPerImage: cpuPerImage, Notes: notes));
        }

        return rows;
    }

    private static Target? TargetFor(int images) => images switch
    {
        10_000 => Target.Maximum(250),
        100_000 => Target.Maximum(3_000),
        _ => null,
    };
}
