using KC.Application.Common.Interfaces;
using KC.Application.Processing;
using Mediator;

namespace KC.Application.Nodes.Queries.ListNodes;

/// <summary>The nodes sharing this database, and whether each is alive.</summary>
public sealed record ListNodesQuery : IQuery<IReadOnlyList<NodeView>>;

/// <summary>How a node stands: it heartbeats, it stopped gracefully, or its heartbeat stopped without a stop.</summary>
public enum NodeState
{
    Alive,
    Stopped,
    Lost,
}

public sealed record NodeView(
    string NodeId,
    string Role,
    string? HostName,
    int? ProcessId,
    NodeState State,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeatAt,
    long ImagesSettled,
    int LeasesHeld);

public sealed class ListNodesHandler(INodeReadModel readModel, ProcessingOptions options, TimeProvider clock)
    : IQueryHandler<ListNodesQuery, IReadOnlyList<NodeView>>
{
    public async ValueTask<IReadOnlyList<NodeView>> Handle(ListNodesQuery query, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var nodes = await readModel.ListAsync(cancellationToken).ConfigureAwait(false);
        return nodes
            .Select(n => new NodeView(n.NodeId, n.Role, n.HostName, n.ProcessId, StateOf(n, now), n.StartedAt, n.LastHeartbeatAt, n.ImagesSettled, n.LeasesHeld))
            .ToList();
    }

    /// <summary>
    /// A node beats three times per lease period; one that has missed a whole period is lost, the
    /// same rule by which its image leases lapse, even before another node has marked it so.
    /// </summary>
    private NodeState StateOf(NodeRecordView node, DateTimeOffset now) =>
        node.StoppedAt is not null ? NodeState.Stopped
        : node.LostAt is not null || now - node.LastHeartbeatAt > options.Lease ? NodeState.Lost
        : NodeState.Alive;
}
