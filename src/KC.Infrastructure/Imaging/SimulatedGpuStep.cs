using KC.Application.Processing;
using KC.Domain.Jobs;

namespace KC.Infrastructure.Imaging;

/// <summary>Stands for the GPU work of the real product: a random delay that cancellation ends at once.</summary>
internal sealed class SimulatedGpuStep(ImagingOptions options, TimeProvider clock) : IGpuStep
{
    public Task RunAsync(ImageSize size, CancellationToken cancellationToken)
    {
        var min = Math.Max(0, options.GpuDelayMinMs);
        var max = Math.Max(min, options.GpuDelayMaxMs);
#pragma warning disable CA5394 // Simulated work time, not security.
        var delay = Random.Shared.Next(min, max + 1);
#pragma warning restore CA5394
        return delay == 0 ? Task.CompletedTask : Task.Delay(TimeSpan.FromMilliseconds(delay), clock, cancellationToken);
    }
}
