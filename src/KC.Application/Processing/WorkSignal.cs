using KC.Application.Common.Interfaces;

namespace KC.Application.Processing;

/// <summary>The in-process wake-up between a submit and this node's worker.</summary>
public sealed class WorkSignal : IWorkSignal, IDisposable
{
    private readonly AsyncSignal _signal = new();

    public void NotifyWorkAvailable() => _signal.Set();

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}
