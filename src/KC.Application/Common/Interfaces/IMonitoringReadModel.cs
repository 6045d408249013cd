using KC.Domain.Jobs;

namespace KC.Application.Common.Interfaces;

/// <summary>The read side of recent work, each answer a few index reads however large the tables are; the queue's size is <see cref="IQueueReadModel"/>'s.</summary>
public interface IMonitoringReadModel
{
    /// <summary>How many jobs are in each status.</summary>
    Task<IReadOnlyDictionary<JobStatus, long>> CountJobsByStatusAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Images settled since <paramref name="since"/>, per UTC minute and outcome; only minutes in
    /// which some image settled are listed.
    /// </summary>
    Task<IReadOnlyList<SettledInMinute>> CountSettledPerMinuteAsync(DateTimeOffset since, CancellationToken cancellationToken);
}

/// <summary>Images that settled in the minute starting at <see cref="Minute"/> (UTC), by outcome.</summary>
public sealed record SettledInMinute(DateTimeOffset Minute, long Succeeded, long Failed);
