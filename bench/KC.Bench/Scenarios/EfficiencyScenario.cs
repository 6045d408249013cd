using System.Globalization;
using KC.Bench.Reporting;

namespace KC.Bench.Scenarios;

/// <summary>
/// One large job per slot count: how close the service comes to keeping every GPU slot busy.
/// Efficiency is achieved images/s over S ÷ mean GPU time, the most any implementation can do.
/// </summary>
internal static class EfficiencyScenario
{
    public static async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var rows = new List<ResultRow>();
        foreach (var (slots, images) in environment.Sizes.Efficiency)
        {
            var settings = new ServiceSettings(slots);
            await using var service = await ServiceRun.StartAsync(environment, $"efficiency-s{slots}", settings, cancellationToken);
            var job = await service.RunJobAsync(environment.Photos, environment.StoreIds, images, cancellationToken);
            var efficiency = job.ImagesPerSecond / settings.BoundImagesPerSecond;
            BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
                $"efficiency S={slots}: {images:#,0} images in {job.Wall.TotalSeconds:0.0} s, {job.ImagesPerSecond:#,0} images/s, efficiency {efficiency:0.000}"));
            rows.Add(ResultRow.ForJob(
                "Efficiency",
                Workloads.Describe(images, settings),
                "efficiency",
                efficiency,
                "0.000",
                TargetFor(slots),
                job,
                string.Create(CultureInfo.InvariantCulture, $"bound {settings.BoundImagesPerSecond:#,0} images/s; submit {job.SubmitLatency.TotalMilliseconds:0} ms")));
        }

        return rows;
    }

    /// <summary>The targets; fewer slots leave the service more CPU per image, hence the stricter bar.</summary>
    public static Target? TargetFor(int slots) => slots switch
    {
        64 => Target.Minimum(0.95),
        256 => Target.Minimum(0.90),
        1_024 => Target.Minimum(0.75),
        _ => null,
    };
}
