using KC.Application.Common;

namespace KC.Infrastructure.Callbacks;

/// <summary>The <c>Callbacks</c> section of configuration: how completion callbacks are sent and retried.</summary>
public sealed class CallbackOptions
{
    public const string SectionName = "Callbacks";

    /// <summary>POSTs per callback, the first included, before it is given up as failed.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Time allowed for one POST, connecting included.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>The wait before the first retry, from the end of the failed attempt; each later retry waits twice as long, with jitter.</summary>
    public int RetryDelayMilliseconds { get; set; } = 5_000;

    /// <summary>The longest wait between two attempts.</summary>
    public int MaxRetryDelaySeconds { get; set; } = 3_600;

    /// <summary>How often the dispatcher looks for callbacks that have come due, while it has a free slot.</summary>
    public int PollMilliseconds { get; set; } = 1_000;

    /// <summary>
    /// Callbacks in flight at once on this node. A receiver that never answers holds its slot for
    /// <see cref="TimeoutSeconds"/>, so this must be well above the number of receivers that may hang at once.
    /// </summary>
    public int MaxConcurrency { get; set; } = 32;

    /// <summary>
    /// The wait after the <paramref name="attemptsMade"/>-th failed attempt: exponential, capped, and
    /// drawn from its upper half (<paramref name="random"/> in [0, 1)), so retries of callbacks that
    /// failed together spread out instead of arriving together again.
    /// </summary>
    public TimeSpan RetryDelay(int attemptsMade, double random) =>
        Backoff.Exponential(attemptsMade, TimeSpan.FromMilliseconds(RetryDelayMilliseconds), TimeSpan.FromSeconds(MaxRetryDelaySeconds), random);

    /// <summary>How long a claim on a callback lasts: past a whole attempt, so a live sender never loses it.</summary>
    public TimeSpan Lease => TimeSpan.FromSeconds((2 * TimeoutSeconds) + 30);
}
