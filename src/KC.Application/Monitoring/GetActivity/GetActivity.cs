using KC.Application.Common.Interfaces;
using KC.Domain.Jobs;
using Mediator;

namespace KC.Application.Monitoring.GetActivity;

/// <summary>What the service has been doing: jobs in each status, and images settled in each minute of the last hour.</summary>
public sealed record GetActivityQuery : IQuery<ActivityView>;

/// <param name="JobsByStatus">Every status, zero included.</param>
/// <param name="SettledPerMinute">The last <see cref="GetActivityHandler.Minutes"/> whole UTC minutes and the current one, oldest first, with no gaps.</param>
public sealed record ActivityView(IReadOnlyDictionary<JobStatus, long> JobsByStatus, IReadOnlyList<SettledInMinute> SettledPerMinute);

public sealed class GetActivityHandler(IMonitoringReadModel readModel, TimeProvider clock) : IQueryHandler<GetActivityQuery, ActivityView>
{
    /// <summary>The span of the chart: an hour of minutes.</summary>
    public const int Minutes = 60;

    public async ValueTask<ActivityView> Handle(GetActivityQuery query, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var currentMinute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var first = currentMinute.AddMinutes(-(Minutes - 1));
        var counts = await readModel.CountJobsByStatusAsync(cancellationToken).ConfigureAwait(false);
        var settled = (await readModel.CountSettledPerMinuteAsync(first, cancellationToken).ConfigureAwait(false))
            .ToDictionary(m => m.Minute);

        var byStatus = Enum.GetValues<JobStatus>().ToDictionary(s => s, s => counts.GetValueOrDefault(s));
        var minutes = Enumerable.Range(0, Minutes)
            .Select(i => first.AddMinutes(i))
            .Select(minute => settled.GetValueOrDefault(minute) ?? new SettledInMinute(minute, 0, 0))
            .ToList();
        return new ActivityView(byStatus, minutes);
    }
}
