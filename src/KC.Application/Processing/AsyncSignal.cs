namespace KC.Application.Processing;

/// <summary>
/// An auto-reset signal for one waiter: <see cref="Set"/> wakes the waiter, or the next call to
/// <see cref="WaitAsync"/> if none is waiting. Many sets before a wait count as one.
/// </summary>
public sealed class AsyncSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        if (_semaphore.CurrentCount != 0)
        {
            return;
        }

        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another thread set it between the check and the release: already signalled.
        }
    }

    /// <summary>Waits for a signal or the timeout; returns whether it was signalled.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _semaphore.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _semaphore.Dispose();
}
