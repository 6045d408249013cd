namespace KC.Infrastructure.Persistence;

/// <summary>The lengths of the text columns that hold what a node is called, used by the model and by the code that fills them.</summary>
internal static class ColumnLimits
{
    /// <summary>The longest <c>Node:Id</c>; <c>settled_by</c> and the housekeeping leases hold node ids.</summary>
    public const int NodeId = 200;

    /// <summary>An image's lease owner is a run of a node: <c>{node id}/{run id}</c>.</summary>
    public const int LeaseOwner = NodeId + 1 + KC.Application.Processing.NodeIdentity.RunIdLength;

    /// <summary>Host names longer than this (no common system has them) are cut to it.</summary>
    public const int HostName = 255;

    /// <summary>A W3C <c>traceparent</c> of version 00: <c>00-{32 hex}-{16 hex}-{2 hex}</c>.</summary>
    public const int TraceParent = 55;
}
