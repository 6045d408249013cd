namespace KC.Application.Common.Interfaces;

/// <summary>The nodes that have run against this database, as their own rows record them.</summary>
public interface INodeReadModel
{
    /// <summary>Every node, by id, with the image leases its current run holds now.</summary>
    Task<IReadOnlyList<NodeRecordView>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A node's row: the host and process of the run that holds it (null for a row of an earlier
/// version), when it started and last heartbeat, whether it stopped or was seen lost, and its work.
/// </summary>
public sealed record NodeRecordView(
    string NodeId,
    string Role,
    string? HostName,
    int? ProcessId,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeatAt,
    DateTimeOffset? StoppedAt,
    DateTimeOffset? LostAt,
    long ImagesSettled,
    int LeasesHeld);
