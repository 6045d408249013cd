using KC.Infrastructure.Callbacks;
using KC.Infrastructure.Health;
using KC.Infrastructure.Hosting;
using KC.Infrastructure.Imaging;
using KC.Infrastructure.Persistence;
using KC.Infrastructure.Processing;
using KC.Infrastructure.StoreMaster;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KC.Infrastructure;

public static class DependencyInjection
{
    /// <summary>The tag of the checks behind <c>/health/ready</c>.</summary>
    public const string ReadinessTag = "ready";

    /// <summary>
    /// Every capability, each registered by its own folder with its own settings validated there.
    /// Order matters: hosted services start in registration order (and stop in reverse), so the
    /// schema and the store master are ready (persistence) before the node registers (node), the
    /// node before its worker claims an image (processing), and the worker's leases are handed back
    /// before the node is marked stopped.
    /// </summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(TimeProvider.System);

        var database = services.AddPersistence(configuration);
        services.AddStoreMaster(configuration);
        services.AddHealth();
        var node = services.AddNode(configuration);
        services.AddImaging(configuration);
        services.AddProcessing(configuration, node, database);
        services.AddRetention(configuration, sweep: node.ProcessesWork);

        // Completion callbacks: their own queue table and dispatcher, through the same network guard.
        services.AddCallbacks(configuration, node.ProcessesWork);
        return services;
    }
}
