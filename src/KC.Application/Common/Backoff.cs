namespace KC.Application.Common;

/// <summary>
/// The one retry delay of the service: exponential from <c>first</c>, capped at <c>max</c>, and
/// drawn from the upper half of that, so callers that failed together do not retry together.
/// </summary>
public static class Backoff
{
    /// <param name="attempt">The attempt that just failed, from 1.</param>
    /// <param name="random">A number in [0, 1); 0 gives half the delay, towards 1 the whole.</param>
    public static TimeSpan Exponential(int attempt, TimeSpan first, TimeSpan max, double random)
    {
        var exponential = first.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1));
        var capped = Math.Min(exponential, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (0.5 * Math.Clamp(random, 0, 1))));
    }

    public static TimeSpan Exponential(int attempt, TimeSpan first, TimeSpan max) =>
        Exponential(attempt, first, max, Random.Shared.NextDouble());
}
