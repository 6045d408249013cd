using KC.Application.Common.Interfaces;
using KC.Application.Monitoring.GetActivity;
using KC.Domain.Jobs;
using KC.TestSupport;
using Moq;

namespace KC.Application.UnitTests.Monitoring;

public sealed class GetActivityHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 10, 30, 42, TimeSpan.Zero);

    [Test]
    public async Task Handle_WhenSomeMinutesSettledNothing_ListsEveryMinuteOfTheHourEndingNowWithZerosBetween()
    {
        var readModel = new Mock<IMonitoringReadModel>(MockBehavior.Strict);
        var first = new DateTimeOffset(2026, 1, 2, 9, 31, 0, TimeSpan.Zero);
        readModel.Setup(r => r.CountJobsByStatusAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Dictionary<JobStatus, long> { [JobStatus.Completed] = 7 });
        readModel.Setup(r => r.CountSettledPerMinuteAsync(first, It.IsAny<CancellationToken>()))
            .ReturnsAsync([new SettledInMinute(first.AddMinutes(2), 5, 1), new SettledInMinute(first.AddMinutes(59), 3, 0)]);

        var activity = await new GetActivityHandler(readModel.Object, new FakeTimeProvider(Now)).Handle(new GetActivityQuery(), CancellationToken.None);

        Assert.That(activity.SettledPerMinute, Has.Count.EqualTo(GetActivityHandler.Minutes));
        Assert.That((activity.SettledPerMinute[0].Minute, activity.SettledPerMinute[^1].Minute), Is.EqualTo((first, new DateTimeOffset(2026, 1, 2, 10, 30, 0, TimeSpan.Zero))));
        Assert.That(activity.SettledPerMinute.Select(m => m.Succeeded).Take(3), Is.EqualTo(new long[] { 0, 0, 5 }));
        Assert.That(activity.SettledPerMinute[^1].Succeeded, Is.EqualTo(3));
        Assert.That(activity.JobsByStatus, Is.EqualTo(new Dictionary<JobStatus, long>
        {
            [JobStatus.Ongoing] = 0, [JobStatus.Completed] = 7, [JobStatus.Failed] = 0, [JobStatus.Cancelled] = 0,
        }));
    }
}
