using System.Runtime.ExceptionServices;
using KC.Application.Common.Telemetry;
using Microsoft.Extensions.Logging;

namespace KC.Application.Processing;

/// <summary>
/// The worker of one node: it claims images from the durable queue while it has room, runs each
/// through the <see cref="ImagePipeline"/>, and hands the outcome to the <see cref="OutcomeWriter"/>;
/// the <see cref="LeaseKeeper"/> keeps the claims alive meanwhile. It owns the claim loop and the
/// order of shutdown.
/// </summary>
public sealed partial class ProcessingEngine : IProcessingSlots, IDisposable
{
    private readonly IWorkQueue _queue;
    private readonly WorkSignal _workSignal;
    private readonly JobsInFlight _jobs;
    private readonly ProcessingOptions _options;
    private readonly string _owner;
    private readonly ImagePipeline _pipeline;
    private readonly OutcomeWriter _outcomes;
    private readonly LeaseKeeper _leases;
    private readonly ILogger<ProcessingEngine> _logger;
    private readonly AsyncSignal _capacityFreed = new();

    /// <summary>The fewest images worth a claim: fewer free than this, and the claim loop waits.</summary>
    private readonly int _minimumClaim;
    private int _inFlight;

    public ProcessingEngine(
        IWorkQueue queue,
        IImageDownloader downloader,
        IGpuStep gpu,
        WorkSignal workSignal,
        JobsInFlight jobs,
        ProcessingOptions options,
        NodeIdentity node,
        KcTelemetry telemetry,
        TimeProvider clock,
        ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(node);
        _queue = queue;
        _workSignal = workSignal;
        _jobs = jobs;
        _options = options;
        _owner = node.LeaseOwner;
        _minimumClaim = Math.Max(1, Math.Min(options.ClaimBatchSize, options.ClaimCapacity / 8));
        _pipeline = ImagePipeline.Create(options, downloader, gpu, telemetry, loggers.CreateLogger<ImagePipeline>());
        _outcomes = new OutcomeWriter(queue, options, _owner, loggers.CreateLogger<OutcomeWriter>());
        _leases = new LeaseKeeper(queue, jobs, workSignal, options, _owner, telemetry, clock, loggers.CreateLogger<LeaseKeeper>());
        _logger = loggers.CreateLogger<ProcessingEngine>();
    }

    /// <summary>Images claimed by this node and not yet settled or released.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>When the worker last proved it is alive: its start, then each successful heartbeat. Null before it starts.</summary>
    public DateTimeOffset? LastHeartbeatAt => _leases.LastHeartbeatAt;

    public SlotUsage GpuSlots => _pipeline.GpuSlots;

    public SlotUsage DownloadSlots => _pipeline.DownloadSlots;

    /// <summary>Runs until <paramref name="stoppingToken"/> fires, then stops claiming, lets in-flight
    /// images finish within the grace period, writes their outcomes and releases the rest.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        // Leases are this run's own: an earlier run's were released when the node registered.
        _leases.MarkAlive();

        using var processingCts = new CancellationTokenSource();
        using var heartbeatCts = new CancellationTokenSource();

        // Claiming without a writer would hold leases forever and settle nothing.
        using var claimingCts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _outcomes.Failed);
        var writer = Task.Run(() => _outcomes.RunAsync(), CancellationToken.None);
        var heartbeat = Task.Run(() => _leases.RunAsync(heartbeatCts.Token), CancellationToken.None);
        var batches = new List<Task>();

        try
        {
            await ClaimLoopAsync(batches, processingCts.Token, claimingCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (claimingCts.IsCancellationRequested)
        {
            // Normal shutdown, or the writer failed.
        }

        // The order matters: images finish (or are cancelled after the grace period), then their
        // outcomes are written, then the heartbeat stops renewing, and only then are leases released.
        _outcomes.NodeStopping();
        batches.RemoveAll(t => t.IsCompleted);
        var all = Task.WhenAll(batches);
        var grace = TimeSpan.FromSeconds(Math.Max(0, _options.ShutdownGraceSeconds));
        if (await Task.WhenAny(all, Task.Delay(grace, CancellationToken.None)).ConfigureAwait(false) != all)
        {
            LogGraceExpired(InFlight);
        }

        await processingCts.CancelAsync().ConfigureAwait(false);
        await all.ConfigureAwait(false);
        _outcomes.Complete();
        Exception? writerFailure = null;
        try
        {
            await writer.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            writerFailure = ex;
        }

        await heartbeatCts.CancelAsync().ConfigureAwait(false);
        await heartbeat.ConfigureAwait(false);

        try
        {
            var returned = await _queue.ReleaseLeasesAsync(_owner, LeaseRelease.GracefulStop, CancellationToken.None).ConfigureAwait(false);
            LogStopped(returned);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The leases lapse on their own; another run or node takes the images over then.
            LogReleaseFailed(ex);
        }

        // A node that cannot record outcomes must not look healthy: fail the host.
        if (writerFailure is not null)
        {
            ExceptionDispatchInfo.Throw(writerFailure);
        }
    }

    public void Dispose()
    {
        _pipeline.Dispose();
        _outcomes.Dispose();
        _capacityFreed.Dispose();
    }

    private async Task ClaimLoopAsync(List<Task> batches, CancellationToken processing, CancellationToken stopping)
    {
        var capacity = _options.ClaimCapacity;
        var idlePoll = TimeSpan.FromMilliseconds(_options.IdlePollMilliseconds);
        var failures = 0;

        while (!stopping.IsCancellationRequested)
        {
            var free = capacity - InFlight;
            if (free < _minimumClaim)
            {
                await _capacityFreed.WaitAsync(idlePoll, stopping).ConfigureAwait(false);
                continue;
            }

            IReadOnlyList<ClaimedImage> claimed;
            try
            {
                claimed = await _queue.ClaimAsync(_owner, Math.Min(free, _options.ClaimBatchSize), stopping).ConfigureAwait(false);
                failures = 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures++;
                LogClaimFailed(ex, failures);
                await Task.Delay(Backoff(failures), stopping).ConfigureAwait(false);
                continue;
            }

            if (claimed.Count == 0)
            {
                await _workSignal.WaitAsync(idlePoll, stopping).ConfigureAwait(false);
                continue;
            }

            Interlocked.Add(ref _inFlight, claimed.Count);
            batches.RemoveAll(t => t.IsCompleted);
            // Off the loop: starting a batch runs each image up to its first wait, and the loop may claim again meanwhile.
            batches.Add(Task.Run(() => StartBatch(claimed, processing), CancellationToken.None));
        }
    }

    /// <summary>
    /// Fans a claimed batch out over its visits with <see cref="Parallel.ForEachAsync{TSource}(IEnumerable{TSource}, ParallelOptions, Func{TSource, CancellationToken, ValueTask})"/>:
    /// one body per visit, which starts the visit's images in the order the claim handed them out
    /// and awaits them together, so a visit is one unit of work here. The degree is the number of
    /// visits in the batch, so no visit waits for another: this fan-out bounds nothing by design.
    /// The bounds are the claim loop's (<see cref="ProcessingOptions.ClaimCapacity"/> images in
    /// flight) and each stage's slots (download, GPU); fairness between jobs and visits is the
    /// claim's order (ADR 0008). A cap per visit was weighed and left out: it leaves slots idle
    /// whenever a batch is a few large visits (ADR 0026).
    /// </summary>
    private Task StartBatch(IReadOnlyList<ClaimedImage> batch, CancellationToken processing)
    {
        var visits = batch.GroupBy(image => image.VisitId).ToList();
        var fanOut = new ParallelOptions { MaxDegreeOfParallelism = visits.Count };

        // Not the fan-out's own token: every image runs its body even once cancelled, so each one is counted out.
        return Parallel.ForEachAsync(
            visits,
            fanOut,
            async (visit, _) => await Task.WhenAll(visit.Select(image => ProcessImageAsync(image, processing))).ConfigureAwait(false));
    }

    /// <summary>
    /// Never throws: every image is counted out whatever became of it, even once processing is
    /// cancelled. Everything logged meanwhile carries the job's id; the image's span, when traced,
    /// ends once its outcome is written.
    /// </summary>
    private async Task ProcessImageAsync(ClaimedImage image, CancellationToken stopping)
    {
        using var scope = JobLogScope.Begin(_logger, image.JobId);
        var span = KcTelemetry.StartImageSpan(image);
        var jobCancelled = _jobs.Enter(image.JobId);
        try
        {
            using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping, jobCancelled);
            _outcomes.Write(await _pipeline.RunAsync(image, cancellation.Token).ConfigureAwait(false), span);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested || jobCancelled.IsCancellationRequested)
        {
            // Shutdown: released with this node's leases. Cancelled job: the image is already settled as cancelled.
            KcTelemetry.EndImageSpan(span, jobCancelled.IsCancellationRequested ? "cancelled" : "released");
        }
        finally
        {
            _jobs.Leave(image.JobId);
            // Wake the claim loop only once a claim is worth making, not at every image.
            if (_options.ClaimCapacity - Interlocked.Decrement(ref _inFlight) >= _minimumClaim)
            {
                _capacityFreed.Set();
            }
        }
    }

    private static TimeSpan Backoff(int attempt) =>
        Common.Backoff.Exponential(attempt, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown grace period over with {Count} images in flight; cancelling them")]
    private partial void LogGraceExpired(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker stopped; {Count} unfinished images returned to the queue")]
    private partial void LogStopped(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release leases at shutdown; they will lapse")]
    private partial void LogReleaseFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claiming work failed ({Failures} in a row)")]
    private partial void LogClaimFailed(Exception exception, int failures);
}
