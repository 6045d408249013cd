using System.Globalization;
using KC.Bench.Reporting;

namespace KC.Bench.Scenarios;

/// <summary>
/// Phone photos of 2–5 MB instead of drawings of a few KB: KC at S = 64, 256 and 1,024 against the
/// GPU bound and against how fast this machine moves the same photos over loopback with no
/// processing (the ceiling, measured just before and just after each run at its connections), with
/// status polls and a small job during the S = 64 run; last a job of images just under the 25 MiB
/// image limit.
/// </summary>
internal static class PhotosScenario
{
    private const string Name = "Photos";

    /// <summary>The S of the run with status pollers and the small job behind it.</summary>
    private const int ObservedSlots = 64;

    private const int NearLimitSlots = 64;

    public static async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var photos = environment.PhonePhotos
            ?? throw new InvalidOperationException("The phone photos are generated when the photo scenario is selected.");
        var rows = new List<ResultRow>();

        // The machine's ceiling drifts by tens of percent within minutes, so
        // each KC run is compared with the ceiling measured just before it and just after it, at its
        // own connections, with no service running; the ratio is to the mean of the two.
        foreach (var (slots, images) in environment.Sizes.Photos)
        {
            var connections = Connections(slots);
            var (before, wrk) = await MeasureCeilingAsync(environment, photos, connections, "before", withWrk: true, cancellationToken);
            rows.Add(CeilingRow(photos, slots, before, wrk));
            rows.AddRange(await MeasureAsync(
                environment,
                photos,
                slots,
                images,
                before,
                async () => (await MeasureCeilingAsync(environment, photos, connections, "after", withWrk: false, cancellationToken)).Client,
                cancellationToken));
        }

        rows.AddRange(await MeasureNearLimitAsync(environment, photos, cancellationToken));
        return rows;
    }

    /// <summary>
    /// The connections the service opens to the one image server at its defaults: 2 × S downloads
    /// in flight (<c>Processing:DownloadConcurrency</c>) over at most 256 connections to one host
    /// (<c>Processing:MaxConnectionsPerHost</c>). The ceiling is measured at the same number.
    /// </summary>
    private static int Connections(int slots) => Math.Min(2 * slots, 256);

    /// <summary>
    /// The loopback ceiling at <paramref name="connections"/> by the plain client, and by wrk too when
    /// <paramref name="withWrk"/> (for the row; the ratio is to the plain client's figure).
    /// </summary>
    private static async Task<(CeilingMeasurement Client, CeilingMeasurement? Wrk)> MeasureCeilingAsync(
        BenchEnvironment environment, PhonePhotos photos, int connections, string when, bool withWrk, CancellationToken cancellationToken)
    {
        var ceiling = await LoopbackCeiling.MeasureAsync(photos.Catalog, connections, environment.Sizes.CeilingWindow, cancellationToken);
        var wrk = withWrk
            ? await LoopbackCeiling.MeasureWithWrkAsync(
                photos.Catalog, connections, ceiling.RampUp, environment.Sizes.CeilingWindow, environment.TemporaryRoot, cancellationToken)
            : null;
        var byWrk = wrk is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; wrk {wrk.MegabytesPerSecond:#,0} MB/s");
        BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
            $"photos: loopback ceiling {when} the run at {connections:#,0} connections {ceiling.MegabytesPerSecond:#,0} MB/s, {ceiling.PhotosPerSecond:#,0} photos/s{byWrk}"));
        return (ceiling, wrk);
    }

    private static ResultRow CeilingRow(PhonePhotos photos, int slots, CeilingMeasurement ceiling, CeilingMeasurement? wrk)
    {
        var byWrk = wrk is null
            ? "wrk not on PATH"
            : string.Create(CultureInfo.InvariantCulture, $"wrk -t2 -c{wrk.Connections}: {wrk.MegabytesPerSecond:#,0} MB/s, {wrk.PhotosPerSecond:#,0} photos/s over {wrk.Window.TotalSeconds:0.0} s");
        return new ResultRow(
            Name,
            string.Create(CultureInfo.InvariantCulture, $"loopback ceiling before S={slots}, {ceiling.Connections:#,0} connections, no processing"),
            "MB/s",
            ceiling.MegabytesPerSecond,
            "#,0",
            WallSeconds: ceiling.Window.TotalSeconds,
            ImagesPerSecond: ceiling.PhotosPerSecond,
            BenchCpuMicrosPerImage: ceiling.BenchCpuMicrosPerPhoto,
            Notes: string.Create(CultureInfo.InvariantCulture,
                $"one HttpClient (SocketsHttpHandler, MaxConnectionsPerServer {ceiling.Connections:#,0}) reading every body through a 64 KiB buffer and discarding it; photos/s = bytes/s ÷ the mean photo ({photos.MeanPhotoBytes / 1e6:0.00} MB); window opened {ceiling.RampUp.TotalSeconds:0.0} s after the start, once every connection had its first response; {byWrk}"));
    }

    /// <summary>
    /// One photo job at S = <paramref name="slots"/>, at S = 64 with status pollers and the small job
    /// behind it; <paramref name="ceilingAfter"/> is measured once the service has stopped.
    /// </summary>
    private static async Task<List<ResultRow>> MeasureAsync(
        BenchEnvironment environment,
        PhonePhotos photos,
        int slots,
        int images,
        CeilingMeasurement ceilingBefore,
        Func<Task<CeilingMeasurement>> ceilingAfter,
        CancellationToken cancellationToken)
    {
        var settings = new ServiceSettings(slots);
        var observed = slots == ObservedSlots;
        var latencies = new List<double>();
        JobMeasurement job;
        SmallJobTiming? small = null;
        await using (var service = await ServiceRun.StartAsync(environment, $"photos-s{slots}", settings, cancellationToken))
        {
            Task<SmallJobTiming>? smallJob = null;
            job = await service.RunJobAsync(
                photos.Catalog,
                environment.StoreIds,
                images,
                cancellationToken,
                observed
                    ? async (submitted, stop) =>
                    {
                        // The small job is timed to its own completion, which may come after the large job's.
                        smallJob = SmallJobBehind.RunAsync(service.Api, submitted, photos.Catalog, environment.StoreIds, cancellationToken);
                        latencies.AddRange(await StatusPollers.RunAsync(service.BaseAddress, submitted.JobId, stop));
                    }
                    : null);
            small = smallJob is null ? null : await smallJob;
            await service.Api.VerifyResultsAsync(job.JobId, photos.Catalog, images, cancellationToken);
        }

        var after = await ceilingAfter();
        var ceiling = (ceilingBefore.MegabytesPerSecond + after.MegabytesPerSecond) / 2;
        var bytes = photos.Catalog.JobBytes(images);
        var megabytesPerSecond = bytes / 1e6 / job.Wall.TotalSeconds;
        var efficiency = job.ImagesPerSecond / settings.BoundImagesPerSecond;
        // A ceiling of nothing (a machine too busy to move a byte in the window) gives no ratio, and meets no target.
        var ratio = ceiling > 0 ? megabytesPerSecond / ceiling : double.NaN;
        var cpuPerMegabyte = job.ServiceCpuMicrosPerImage * images / (bytes / 1e6);
        BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
            $"photos S={slots}: {images:#,0} photos in {job.Wall.TotalSeconds:0.0} s, {job.ImagesPerSecond:#,0} photos/s, efficiency {efficiency:0.000}, {megabytesPerSecond:#,0} MB/s ({ratio:0.00} of the ceiling, {ceiling:#,0} MB/s: {ceilingBefore.MegabytesPerSecond:#,0} before, {after.MegabytesPerSecond:#,0} after), {cpuPerMegabyte:#,0} µs CPU per MB, peak RSS {job.PeakRssMib:#,0} MiB"));

        var workload = Workloads.Describe(images, settings) + ", phone photos";
        var rows = new List<ResultRow>
        {
            ResultRow.ForJob(Name, workload, "efficiency", efficiency, "0.000", slots == ObservedSlots ? Target.Minimum(0.95) : null, job,
                string.Create(CultureInfo.InvariantCulture, $"bound {settings.BoundImagesPerSecond:#,0} photos/s; submit {job.SubmitLatency.TotalMilliseconds:0} ms; results verified")),
            ResultRow.ForJob(Name, workload, "MB/s", megabytesPerSecond, "#,0", null, job,
                string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:#,0} MB downloaded from the 201 to the completed poll")),
            ResultRow.ForJob(Name, workload, "MB/s ÷ ceiling", ratio, "0.00", slots == ObservedSlots ? null : Target.Minimum(0.80), job,
                string.Create(CultureInfo.InvariantCulture, $"ceiling {ceiling:#,0} MB/s at {after.Connections:#,0} connections: the mean of {ceilingBefore.MegabytesPerSecond:#,0} just before the run and {after.MegabytesPerSecond:#,0} just after it")),
            ResultRow.ForJob(Name, workload, "service CPU µs/MB", cpuPerMegabyte, "#,0", null, job,
                string.Create(CultureInfo.InvariantCulture, $"{job.ServiceCpuMicrosPerImage:#,0} µs per photo (the CPU column)")),
            PeakRssRow(workload, job),
        };

        if (observed)
        {
            var percentiles = StatusPollers.Summarise(latencies);
            BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
                $"photos S={slots}: status p99 {percentiles.At(99):0.0} ms over {percentiles.Count:#,0} polls; the {SmallJobBehind.Images}-photo job completed {small!.Completion.TotalSeconds:0.00} s after its 201 (large job {small.BackgroundStatus})"));
            rows.Add(ResultRow.ForJob(Name, workload, $"status p99 ms, {StatusPollers.Clients} pollers", percentiles.At(99), "0.0", Target.Maximum(10), job,
                StatusPollers.Describe(percentiles)));
            rows.Add(new ResultRow(
                Name,
                workload,
                $"{SmallJobBehind.Images}-photo job s",
                small.Completion.TotalSeconds,
                "0.00",
                Target.Maximum(3),
                WallSeconds: small.Completion.TotalSeconds,
                PeakRssMib: job.PeakRssMib,
                Notes: string.Create(CultureInfo.InvariantCulture,
                    $"submitted {SmallJobBehind.SubmitAfter.TotalSeconds:0} s after the large job's 201, timed from its own 201; large job {small.BackgroundStatus} at that point; small submit {small.SubmitLatency.TotalMilliseconds:0} ms; results verified")));
        }

        return rows;
    }

    /// <summary>Images just under <c>Processing:MaxImageBytes</c>: memory must not follow the body size.</summary>
    private static async Task<List<ResultRow>> MeasureNearLimitAsync(BenchEnvironment environment, PhonePhotos photos, CancellationToken cancellationToken)
    {
        var settings = new ServiceSettings(NearLimitSlots);
        var images = environment.Sizes.NearLimitImages;
        await using var service = await ServiceRun.StartAsync(environment, "photos-near-limit", settings, cancellationToken);
        var job = await service.RunJobAsync(photos.NearLimit, environment.StoreIds, images, cancellationToken);
        await service.Api.VerifyResultsAsync(job.JobId, photos.NearLimit, images, cancellationToken);

        var bytes = photos.NearLimit.JobBytes(images);
        var megabytesPerSecond = bytes / 1e6 / job.Wall.TotalSeconds;
        var cpuPerMegabyte = job.ServiceCpuMicrosPerImage * images / (bytes / 1e6);
        BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
            $"photos near the limit: {images} images of {photos.NearLimit.BodyBytes.Max() / 1e6:0.0} MB in {job.Wall.TotalSeconds:0.0} s, {megabytesPerSecond:#,0} MB/s, peak RSS {job.PeakRssMib:#,0} MiB"));

        var workload = string.Create(CultureInfo.InvariantCulture,
            $"{images} images of {photos.NearLimit.BodyBytes.Max() / 1e6:0.0} MB (25 MiB limit), {settings.Describe()}");
        return
        [
            PeakRssRow(workload, job),
            ResultRow.ForJob(Name, workload, "MB/s", megabytesPerSecond, "#,0", null, job,
                string.Create(CultureInfo.InvariantCulture,
                    $"{bytes / 1e6:#,0} MB of noise PNGs ({PhonePhotos.MaxImageBytes:#,0}-byte limit); {cpuPerMegabyte:#,0} µs service CPU per MB; results verified")),
        ];
    }

    private static ResultRow PeakRssRow(string workload, JobMeasurement job) =>
        ResultRow.ForJob(Name, workload, "peak RSS MiB", job.PeakRssMib, "0", Target.Maximum(300), job,
            string.Create(CultureInfo.InvariantCulture, $"peak by the 201 {job.PeakRssBy201Mib:0} MiB, RSS at the end {job.RssAtEndMib:0} MiB"));
}
