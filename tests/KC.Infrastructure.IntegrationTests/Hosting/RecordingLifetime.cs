using Microsoft.Extensions.Hosting;

namespace KC.Infrastructure.IntegrationTests.Hosting;

/// <summary>The host's lifetime, as far as a hosted service sees it: it records a request to stop.</summary>
internal sealed class RecordingLifetime : IHostApplicationLifetime
{
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a service asks the host to stop.</summary>
    public Task Stopping => _stopping.Task;

    public CancellationToken ApplicationStarted => CancellationToken.None;

    public CancellationToken ApplicationStopping => CancellationToken.None;

    public CancellationToken ApplicationStopped => CancellationToken.None;

    public void StopApplication() => _stopping.TrySetResult();
}
