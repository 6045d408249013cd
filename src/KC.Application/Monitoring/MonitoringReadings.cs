using KC.Application.Common.Telemetry;
using KC.Application.Monitoring.GetQueueStatistics;
using KC.Application.Nodes.Queries.ListNodes;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KC.Application.Monitoring;

/// <summary>
/// The gauges' readings, through the same queries as every other reader (<see cref="GetQueueStatisticsQuery"/>,
/// <see cref="ListNodesQuery"/>). A collection reads several gauges in a row, so one answer serves
/// them for <see cref="Reuse"/>; the queue counts themselves are cached longer by their own port.
/// Gauges are read synchronously, so the query is waited for; it is one short read at most every
/// few seconds.
/// </summary>
public sealed partial class MonitoringReadings(IServiceScopeFactory scopes, TimeProvider clock, ILogger<MonitoringReadings> logger) : IMonitoringReadings
{
    /// <summary>How long one answer serves the gauges of a collection.</summary>
    public static readonly TimeSpan Reuse = TimeSpan.FromSeconds(1);

    /// <summary>Node rows change at most once a heartbeat: counted at most this often.</summary>
    public static readonly TimeSpan NodesReuse = TimeSpan.FromSeconds(5);

    private static readonly string[] NodeStates = ["alive", "stopped", "lost"];

    private readonly Lock _lock = new();
    private (QueueStatistics? Value, DateTimeOffset At) _queue;
    private (IReadOnlyList<(string State, int Count)>? Value, DateTimeOffset At) _nodes;

    public QueueStatistics? Queue()
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            if (_queue.Value is null || now - _queue.At >= Reuse)
            {
                _queue = (Send(new GetQueueStatisticsQuery()), now);
            }

            return _queue.Value;
        }
    }

    public IReadOnlyList<(string State, int Count)>? Nodes()
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            if (_nodes.Value is null || now - _nodes.At >= NodesReuse)
            {
                _nodes = (Send(new ListNodesQuery()) is { } nodes ? Count(nodes) : null, now);
            }

            return _nodes.Value;
        }
    }

    private static List<(string State, int Count)> Count(IReadOnlyList<NodeView> nodes) =>
        NodeStates.Select(state => (state, nodes.Count(n => string.Equals(n.State.ToString(), state, StringComparison.OrdinalIgnoreCase)))).ToList();

    private T? Send<T>(IQuery<T> query)
        where T : class
    {
        try
        {
            using var scope = scopes.CreateScope();
            var sender = scope.ServiceProvider.GetRequiredService<ISender>();
            return sender.Send(query).AsTask().GetAwaiter().GetResult();
        }
        catch (ObjectDisposedException)
        {
            // The host is stopping: an exporter's last flush reads the gauges once more.
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReadFailed(ex, query.GetType().Name);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading {Query} for the metrics failed; its gauges report nothing this time")]
    private partial void LogReadFailed(Exception exception, string query);
}
