namespace KC.Api.Contracts;

/// <summary>The nodes sharing the database.</summary>
public sealed record NodeListResponse(IReadOnlyList<NodeResponse> Nodes);

/// <summary>
/// One node: <c>host_name</c> and <c>process_id</c> say where its current run is (null for a node
/// last run by an earlier version); <c>state</c> is <c>alive</c>, <c>stopped</c> (a graceful stop)
/// or <c>lost</c> (its heartbeat stopped for a whole lease period; its image leases have lapsed or
/// are about to); <c>leases_held</c> counts the images its current run holds.
/// </summary>
public sealed record NodeResponse(
    string NodeId,
    string Role,
    string? HostName,
    int? ProcessId,
    [property: Words(WireWords.NodeState)] string State,
    DateTime StartedAt,
    DateTime LastHeartbeatAt,
    long ImagesSettled,
    int LeasesHeld);
