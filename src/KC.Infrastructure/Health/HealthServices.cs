using Microsoft.Extensions.DependencyInjection;

namespace KC.Infrastructure.Health;

/// <summary>The readiness checks every node has; a node that processes work adds its worker's (see <c>ProcessingServices</c>).</summary>
internal static class HealthServices
{
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [DependencyInjection.ReadinessTag]);
        return services;
    }
}
