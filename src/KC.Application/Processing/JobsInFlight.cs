using KC.Application.Common.Interfaces;

namespace KC.Application.Processing;

/// <summary>
/// The jobs this node has images of in flight, each with the switch that interrupts them: a cancel
/// through this node's API, or one found by the heartbeat, ends their downloads and GPU steps at
/// once. A job leaves when its last image here does.
/// </summary>
public sealed class JobsInFlight : IJobCancellationSignal
{
    private readonly Dictionary<long, JobScope> _jobs = [];
    private readonly Lock _lock = new();

    /// <summary>Interrupts this node's images of <paramref name="jobId"/>; nothing when it has none.</summary>
    public void JobCancelled(long jobId)
    {
        lock (_lock)
        {
            if (_jobs.TryGetValue(jobId, out var scope))
            {
                scope.Cancellation.Cancel();
            }
        }
    }

    /// <summary>Counts in an image of <paramref name="jobId"/>; the token fires if the job is cancelled.
    /// Every call is paired with one <see cref="Leave"/>.</summary>
    internal CancellationToken Enter(long jobId)
    {
        lock (_lock)
        {
            if (!_jobs.TryGetValue(jobId, out var scope))
            {
                _jobs[jobId] = scope = new JobScope();
            }

            scope.Images++;
            return scope.Cancellation.Token;
        }
    }

    internal void Leave(long jobId)
    {
        lock (_lock)
        {
            var scope = _jobs[jobId];
            if (--scope.Images == 0)
            {
                _jobs.Remove(jobId);
                scope.Cancellation.Dispose();
            }
        }
    }

    /// <summary>The jobs with images in flight here now.</summary>
    internal long[] JobIds()
    {
        lock (_lock)
        {
            return [.. _jobs.Keys];
        }
    }

    private sealed class JobScope
    {
        public CancellationTokenSource Cancellation { get; } = new();

        public int Images { get; set; }
    }
}
