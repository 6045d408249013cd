namespace KC.TestSupport;

/// <summary>
/// A clock that stands still until a test moves it, so leases, expiries and retry times are tested
/// without sleeping. Only the time it reads is fake: timers made from it run on real time.
/// </summary>
public sealed class FakeTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
