using KC.Domain.Jobs;

namespace KC.Domain.UnitTests.Jobs;

public sealed class JobProgressEstimateTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 10, 0, 0, TimeSpan.Zero);

    [Test]
    public void EstimateCompletion_WhenAQuarterSettledInTenSeconds_ProjectsThirtyMoreSeconds()
    {
        var progress = new JobProgress(100, 20, 5);

        var estimate = progress.EstimateCompletion(Start, Start.AddSeconds(10));

        Assert.That(estimate, Is.EqualTo(Start.AddSeconds(40)));
    }

    [Test]
    public void EstimateCompletion_WhenNothingSettledYet_IsNull()
    {
        Assert.That(new JobProgress(10, 0, 0).EstimateCompletion(Start, Start.AddSeconds(5)), Is.Null);
    }

    [Test]
    public void EstimateCompletion_WhenSettled_IsNull()
    {
        Assert.That(new JobProgress(2, 1, 1).EstimateCompletion(Start, Start.AddSeconds(5)), Is.Null);
    }
}
