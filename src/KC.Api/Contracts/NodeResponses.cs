namespace KC.Api.Contracts;

/// <summary>The nodes sharing the database.</summary>
public sealed record NodeListResponse(IReadOnlyList<NodeResponse> Nodes);

/// <summary>
/// One node: <c>state</c> is <c>alive</c>, <c>stopped</c> (a graceful stop) or <c>lost</c> (its
/// heartbeat stopped for a whole lease period; its image leases have lapsed or are about to).
/// </summary>
public sealed record NodeResponse(
    string NodeId,
    string Role,
    string State,
    DateTime StartedAt,
    DateTime LastHeartbeatAt,
    long ImagesSettled,
    int LeasesHeld);
