using KC.Application.Common.Telemetry;
using KC.Domain.Jobs;
using KC.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace KC.Application.UnitTests.Common.Telemetry;

[TestFixture]
public sealed class JobLifecycleTests
{
    private static readonly DateTimeOffset SubmittedAt = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Test]
    public void Submitted_WhenAJobIsStored_LogsOneInformationLineWithItsVisitsAndImages()
    {
        var logger = new FakeLogger<JobLifecycle>();
        var lifecycle = new JobLifecycle(TestTelemetry.Instruments, logger);

        lifecycle.Submitted(7, visits: 2, images: 5);

        var record = logger.Collector.GetSnapshot().Single();
        Assert.That(record.Level, Is.EqualTo(LogLevel.Information));
        Assert.That(record.Message, Is.EqualTo("Job 7 submitted: 2 visits, 5 images"));
        Assert.That(record.StructuredState!.Single(s => s.Key == "JobId").Value, Is.EqualTo("7"));
    }

    [Test]
    public void Settled_WhenAJobSettles_LogsOneInformationLineWithItsStatusDurationAndFailures()
    {
        var logger = new FakeLogger<JobLifecycle>();
        var lifecycle = new JobLifecycle(TestTelemetry.Instruments, logger);

        lifecycle.Settled(new SettledJob(7, JobStatus.Failed, SubmittedAt, SubmittedAt.AddSeconds(12.5), new JobProgress(5, 3, 2)));

        var record = logger.Collector.GetSnapshot().Single();
        Assert.That(record.Level, Is.EqualTo(LogLevel.Information));
        Assert.That(record.Message, Is.EqualTo("Job 7 failed after 12.500 s: 3 succeeded, 2 failed, 0 cancelled of 5 images"));
    }
}
