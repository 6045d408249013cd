using KC.Domain.Jobs;

namespace KC.Application.Common.Interfaces;

/// <summary>The read side of the queue and of recent work, each answer a few index reads however large the tables are.</summary>
public interface IMonitoringReadModel
{
    /// <summary>
    /// Images waiting (pending) and leased (processing) across every node, and when the oldest job
    /// that still has a pending image was submitted, in one statement: the counters of the ongoing
    /// jobs, the leased images' partial index, and the ongoing jobs by id.
    /// </summary>
    Task<QueueCounts> GetQueueAsync(CancellationToken cancellationToken);

    /// <summary>How many jobs are in each status.</summary>
    Task<IReadOnlyDictionary<JobStatus, long>> CountJobsByStatusAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Images settled since <paramref name="since"/>, per UTC minute and outcome; only minutes in
    /// which some image settled are listed.
    /// </summary>
    Task<IReadOnlyList<SettledInMinute>> CountSettledPerMinuteAsync(DateTimeOffset since, CancellationToken cancellationToken);
}

public sealed record QueueCounts(long Pending, long Processing, DateTimeOffset? OldestPendingSince);

/// <summary>Images that settled in the minute starting at <see cref="Minute"/> (UTC), by outcome.</summary>
public sealed record SettledInMinute(DateTimeOffset Minute, long Succeeded, long Failed);
