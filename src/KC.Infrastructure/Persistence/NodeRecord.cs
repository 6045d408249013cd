namespace KC.Infrastructure.Persistence;

/// <summary>
/// One node that has run against this database: the run of it that holds the id, its role, its last
/// heartbeat and how many image outcomes it has recorded. Times are Unix milliseconds, compared in
/// SQL on every provider alike.
/// </summary>
internal sealed class NodeRecord
{
    public required string Id { get; init; }

    public required string Role { get; set; }

    public long StartedAt { get; set; }

    public long HeartbeatAt { get; set; }

    /// <summary>Set by a graceful stop.</summary>
    public long? StoppedAt { get; set; }

    /// <summary>Set by another node that saw the heartbeat stop without a graceful stop.</summary>
    public long? LostAt { get; set; }

    public long ImagesSettled { get; set; }

    /// <summary>
    /// The run of the process that holds the id now (its leases are <c>{Id}/{RunId}</c>); null in
    /// rows written before runs were recorded, whose leases were held under the bare id.
    /// </summary>
    public string? RunId { get; set; }

    /// <summary>The host that run is on.</summary>
    public string? HostName { get; set; }

    /// <summary>The operating system's id of that run's process, on <see cref="HostName"/>.</summary>
    public int? ProcessId { get; set; }
}

/// <summary>
/// A named piece of housekeeping that one node at a time may run (retention): held like an image
/// lease, by owner and expiry, so a node that dies while holding it hands it on when it lapses.
/// </summary>
internal sealed class MaintenanceLease
{
    public required string Name { get; init; }

    public string? Owner { get; set; }

    public long ExpiresAt { get; set; }
}
