namespace KC.Application.Processing;

/// <summary>
/// Who this process is among the nodes sharing one database: the name its leases are held under,
/// which must be unique among running nodes, and the part of the work it takes on.
/// </summary>
public sealed record NodeIdentity(string Id, NodeRole Role = NodeRole.All)
{
    /// <summary>The configuration key of the role.</summary>
    public const string RoleKey = "Node:Role";

    /// <summary>The configuration key of the id.</summary>
    public const string IdKey = "Node:Id";

    /// <summary>True when this node answers the API (jobs, stores, visits, documentation).</summary>
    public bool ServesApi => Role is NodeRole.All or NodeRole.Api;

    /// <summary>True when this node claims images and sends callbacks.</summary>
    public bool ProcessesWork => Role is NodeRole.All or NodeRole.Worker;

    /// <summary>
    /// Reads <c>Node:Role</c> (<c>all</c>, <c>api</c> or <c>worker</c>, any case; <c>all</c> when
    /// unset). Anything else stops the service at start with an error that names the setting.
    /// </summary>
    public static NodeRole ParseRole(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" or "ALL" => NodeRole.All,
        "API" => NodeRole.Api,
        "WORKER" => NodeRole.Worker,
        _ => throw new ArgumentException($"{RoleKey} must be all, api or worker; '{value}' is none of them.", nameof(value)),
    };
}

/// <summary>The part of the work a node takes on; API nodes and workers scale separately.</summary>
public enum NodeRole
{
    /// <summary>Serves the API and processes work: the single-node default.</summary>
    All,

    /// <summary>Serves the API and health endpoints; never claims work.</summary>
    Api,

    /// <summary>Processes work and serves only the health endpoints.</summary>
    Worker,
}
