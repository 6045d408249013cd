namespace KC.Client;

/// <summary>What a node does (<c>Node:Role</c>).</summary>
public enum NodeRole
{
    /// <summary>Serves the API and processes work.</summary>
    All,

    /// <summary>Serves the API only.</summary>
    Api,

    /// <summary>Processes work only.</summary>
    Worker,
}

/// <summary>Whether a node is running.</summary>
public enum NodeState
{
    /// <summary>Heartbeating.</summary>
    Alive,

    /// <summary>Stopped gracefully.</summary>
    Stopped,

    /// <summary>No heartbeat for a whole lease period without a stop; other nodes take its images over.</summary>
    Lost,
}

/// <summary>A node that has run against the service's database.</summary>
public sealed record Node
{
    /// <summary>The node's <c>Node:Id</c>.</summary>
    public required string NodeId { get; init; }

    /// <summary>What the node does.</summary>
    public required NodeRole Role { get; init; }

    /// <summary>Whether it is running.</summary>
    public required NodeState State { get; init; }

    /// <summary>When it last started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Its last heartbeat.</summary>
    public required DateTimeOffset LastHeartbeatAt { get; init; }

    /// <summary>Image outcomes it has recorded.</summary>
    public required long ImagesSettled { get; init; }

    /// <summary>Image leases it holds now.</summary>
    public required int LeasesHeld { get; init; }
}

/// <summary>The body of <c>GET /api/nodes</c>.</summary>
internal sealed record NodeList(IReadOnlyList<Node> Nodes);
