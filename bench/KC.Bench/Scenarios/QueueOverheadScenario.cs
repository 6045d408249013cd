using System.Globalization;
using KC.Bench.Reporting;

namespace KC.Bench.Scenarios;

/// <summary>
/// GPU time zero and tiny images: what is left is the service's own cost per image (claim, download,
/// header read, outcome write), so images/s here is the ceiling the queue puts on any slot count.
/// </summary>
internal static class QueueOverheadScenario
{
    public static async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var settings = new ServiceSettings(256, GpuMinMs: 0, GpuMaxMs: 0);
        var images = environment.Sizes.QueueImages;
        await using var service = await ServiceRun.StartAsync(environment, "queue", settings, cancellationToken);
        var job = await service.RunJobAsync(environment.Tiny, environment.StoreIds, images, cancellationToken);
        BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
            $"queue overhead: {images:#,0} tiny images in {job.Wall.TotalSeconds:0.0} s, {job.ImagesPerSecond:#,0} images/s"));
        return
        [
            ResultRow.ForJob(
                "Queue overhead",
                Workloads.Describe(images, settings) + ", tiny images",
                "images/s",
                job.ImagesPerSecond,
                "#,0",
                Target.Minimum(3_000),
                job,
                string.Create(CultureInfo.InvariantCulture, $"{environment.Tiny.DistinctImages} distinct images of 1×2 to 10×11 px; submit {job.SubmitLatency.TotalMilliseconds:0} ms")),
        ];
    }
}
