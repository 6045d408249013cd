using KC.Application.Processing;
using KC.Infrastructure.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KC.Infrastructure.Hosting;

/// <summary>Who this process is among the nodes, and its row in <c>nodes</c>: registered at start, kept by a heartbeat.</summary>
internal static class NodeServices
{
    public static NodeIdentity AddNode(this IServiceCollection services, IConfiguration configuration)
    {
        var node = ReadNode(configuration);
        services.AddSingleton(node);
        services.AddSingleton<NodeRegistration>();

        // After the database initializer, before the worker: its outcomes are counted against this row,
        // and it is marked stopped only after the worker has handed its leases back.
        services.AddHostedService<NodeHeartbeat>();
        return node;
    }

    private static NodeIdentity ReadNode(IConfiguration configuration)
    {
        var role = NodeIdentity.ParseRole(configuration[NodeIdentity.RoleKey]);
        if (configuration[NodeIdentity.IdKey] is not { Length: > 0 } configured)
        {
            // Unique per process, so two processes on one host never share an id by default.
            var hostName = Environment.MachineName;
            var prefix = hostName[..Math.Min(hostName.Length, ColumnLimits.NodeId - NodeIdentity.DefaultIdSuffixLength)];
            return new NodeIdentity(NodeIdentity.DefaultId(prefix), role) { IdIsDefault = true };
        }

        if (configured.Length > ColumnLimits.NodeId)
        {
            throw new ArgumentException($"{NodeIdentity.IdKey} must be at most {ColumnLimits.NodeId} characters.");
        }

        return new NodeIdentity(configured, role);
    }
}
