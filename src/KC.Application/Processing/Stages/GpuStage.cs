using System.Diagnostics;
using KC.Application.Common.Telemetry;

namespace KC.Application.Processing.Stages;

/// <summary>Runs the GPU step on the measured size, within the GPU slots (<c>Processing:MaxConcurrency</c>).</summary>
internal sealed class GpuStage(IGpuStep gpu, int slots, KcTelemetry telemetry) : IImageStage, IDisposable
{
    private readonly SemaphoreSlim _slots = new(slots);

    /// <summary>The GPU slots and how many GPU steps hold one now.</summary>
    public SlotUsage Usage => new(slots - _slots.CurrentCount, slots);

    public async ValueTask<ImageOutcome?> RunAsync(ImageInFlight image, CancellationToken cancellationToken)
    {
        var size = image.Size ?? throw new InvalidOperationException("The GPU step needs the measured size: the download stage comes first.");
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        using var span = KcTelemetry.Traces.StartActivity(KcTelemetry.GpuSpan);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await gpu.RunAsync(size, cancellationToken).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            image.GpuTime = elapsed;
            telemetry.GpuStepFinished(elapsed);
            return null;
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
