using KC.Application.Processing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KC.Infrastructure.Health;

/// <summary>
/// Ready only while the worker heartbeats: a worker that has not renewed its leases for two
/// heartbeat periods is about to lose them, and its node should not be sent traffic.
/// </summary>
internal sealed class WorkerHealthCheck(ProcessingEngine engine, ProcessingOptions options, TimeProvider clock) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var last = engine.LastHeartbeatAt;
        var allowed = (options.HeartbeatInterval * 2) + TimeSpan.FromSeconds(5);
        var result = last is null
            ? HealthCheckResult.Unhealthy("the worker has not started")
            : clock.GetUtcNow() - last.Value > allowed
                ? HealthCheckResult.Unhealthy($"no heartbeat since {last.Value:O}")
                : HealthCheckResult.Healthy($"last heartbeat {last.Value:O}; {engine.InFlight} images in flight");
        return Task.FromResult(result);
    }
}
