using System.Security.Cryptography;

namespace KC.Application.Processing;

/// <summary>
/// Who this process is among the nodes sharing one database: its node id (<c>Node:Id</c>), the
/// run of that id this process is (a token drawn at start), where it runs, and the part of the work
/// it takes on. Leases are held by the run, not by the id, so no process can ever renew, release
/// or settle another's, even one that was given the same id.
/// </summary>
public sealed record NodeIdentity(string Id, NodeRole Role = NodeRole.All)
{
    /// <summary>The configuration key of the role.</summary>
    public const string RoleKey = "Node:Role";

    /// <summary>The configuration key of the id.</summary>
    public const string IdKey = "Node:Id";

    /// <summary>Characters of <see cref="RunId"/>: 64 random bits in hex.</summary>
    public const int RunIdLength = 16;

    /// <summary>Characters <see cref="DefaultId"/> adds to the host name.</summary>
    public const int DefaultIdSuffixLength = 7;

    /// <summary>Joins the node id and the run in a lease owner; a run id never contains it.</summary>
    private const char OwnerSeparator = '/';

    /// <summary>Drawn afresh for every start of the process: two runs of one id never share it.</summary>
    public string RunId { get; init; } = RandomNumberGenerator.GetHexString(RunIdLength, lowercase: true);

    /// <summary>The machine (or container) this process runs on, as its host name says.</summary>
    public string HostName { get; init; } = Environment.MachineName;

    /// <summary>The operating system's id of this process.</summary>
    public int ProcessId { get; init; } = Environment.ProcessId;

    /// <summary>True when the id was not configured but made up at start (<see cref="DefaultId"/>).</summary>
    public bool IdIsDefault { get; init; }

    /// <summary>
    /// What the images this run claims are leased to: <c>{Id}/{RunId}</c>, unique to this run, and
    /// naming the node it belongs to, so outcomes are attributed to the node (<see cref="NodeIdOf"/>).
    /// </summary>
    public string LeaseOwner => LeaseOwnerOf(Id, RunId);

    /// <summary>True when this node answers the API (jobs, stores, visits, documentation).</summary>
    public bool ServesApi => Role is NodeRole.All or NodeRole.Api;

    /// <summary>True when this node claims images and sends callbacks.</summary>
    public bool ProcessesWork => Role is NodeRole.All or NodeRole.Worker;

    /// <summary>
    /// The id of a process started without <c>Node:Id</c>: the host name and six random hex digits
    /// (<c>vm-3f9a2c</c>), so processes on one host never share an id by default.
    /// </summary>
    public static string DefaultId(string hostName) =>
        $"{hostName}-{RandomNumberGenerator.GetHexString(DefaultIdSuffixLength - 1, lowercase: true)}";

    /// <summary>The lease owner of run <paramref name="runId"/> of node <paramref name="nodeId"/>.</summary>
    public static string LeaseOwnerOf(string nodeId, string runId) => $"{nodeId}{OwnerSeparator}{runId}";

    /// <summary>
    /// The node a lease owner belongs to: what precedes the last separator of a
    /// <see cref="LeaseOwner"/>, or the whole owner when it has none (the form of earlier versions).
    /// </summary>
    public static string NodeIdOf(string leaseOwner)
    {
        ArgumentNullException.ThrowIfNull(leaseOwner);
        var separator = leaseOwner.LastIndexOf(OwnerSeparator);
        return separator < 0 ? leaseOwner : leaseOwner[..separator];
    }

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
