namespace KC.Application.UnitTests.TestDoubles;

/// <summary>A clock stopped at one instant.</summary>
internal sealed class FakeTimeProvider(DateTimeOffset utcNow) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => utcNow;
}
