namespace KC.Application.Processing;

/// <summary>The name this process's leases are held under. It must be unique among running nodes.</summary>
public sealed record NodeIdentity(string Id);
