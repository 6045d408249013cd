using KC.Application.Monitoring.GetQueueStatistics;

namespace KC.Application.Common.Telemetry;

/// <summary>
/// What the gauges show, read when a scrape or an export collects them. Null when it cannot be
/// read now (the database is unreachable): the gauge then reports nothing rather than a wrong zero.
/// </summary>
public interface IMonitoringReadings
{
    QueueStatistics? Queue();

    /// <summary>Every node state (<c>alive</c>, <c>stopped</c>, <c>lost</c>) with how many nodes are in it, zeros included.</summary>
    IReadOnlyList<(string State, int Count)>? Nodes();
}
