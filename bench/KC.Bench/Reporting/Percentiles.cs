namespace KC.Bench.Reporting;

/// <summary>Nearest-rank percentiles: every reported figure is a latency that was actually observed.</summary>
internal sealed class Percentiles
{
    private readonly double[] _sorted;

    public Percentiles(IEnumerable<double> samples)
    {
        _sorted = [.. samples.Order()];
        if (_sorted.Length == 0)
        {
            throw new ArgumentException("At least one sample is needed.", nameof(samples));
        }
    }

    public int Count => _sorted.Length;

    public double Max => _sorted[^1];

    public double At(double percent) =>
        _sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * _sorted.Length) - 1, 0, _sorted.Length - 1)];
}
