namespace KC.Application.Common.Interfaces;

/// <summary>The nodes that have run against this database, as their own rows record them.</summary>
public interface INodeReadModel
{
    /// <summary>Every node, by id, with the image leases each holds now.</summary>
    Task<IReadOnlyList<NodeRecordView>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>A node's row: when it started and last heartbeat, whether it stopped or was seen lost, and its work.</summary>
public sealed record NodeRecordView(
    string NodeId,
    string Role,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeatAt,
    DateTimeOffset? StoppedAt,
    DateTimeOffset? LostAt,
    long ImagesSettled,
    int LeasesHeld);
