using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Jobs.Queries.GetJobPage;
using KC.Domain.Jobs;
using KC.TestSupport;
using Moq;

namespace KC.Application.UnitTests.Jobs.Queries.GetJobPage;

[TestFixture]
public sealed class GetJobPageTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 10, 0, 10, TimeSpan.Zero);

    [Test]
    public async Task Handle_WhenTheJobRuns_ReadsThePagesShareOfImagesAndAddsTheEstimate()
    {
        var view = new JobDetailsView(7, JobStatus.Ongoing, Now.AddSeconds(-10), null, new JobProgress(4, 1, 0), [], []);
        var readModel = new Mock<IJobReadModel>(MockBehavior.Strict);
        readModel.Setup(m => m.GetPageAsync(7, 2_000, It.IsAny<CancellationToken>())).ReturnsAsync(view);

        var result = await new GetJobPageHandler(readModel.Object, new FakeTimeProvider(Now)).Handle(new GetJobPageQuery(7, 2_000), CancellationToken.None);

        // One image in the ten seconds since creation: three more take thirty.
        Assert.That(result.EstimatedCompletionAt, Is.EqualTo(Now.AddSeconds(30)));
    }

    [Test]
    public void Handle_WhenJobDoesNotExist_ThrowsNotFoundNamingTheJob()
    {
        var readModel = new Mock<IJobReadModel>(MockBehavior.Strict);
        readModel.Setup(m => m.GetPageAsync(8, 10, It.IsAny<CancellationToken>())).ReturnsAsync((JobDetailsView?)null);

        Func<Task> act = async () => await new GetJobPageHandler(readModel.Object, new FakeTimeProvider(Now)).Handle(new GetJobPageQuery(8, 10), CancellationToken.None);

        Assert.That(act, Throws.TypeOf<NotFoundException>().With.Message.EqualTo("Job 8 was not found."));
    }

    [TestCase(0L, 10, "job_id")]
    [TestCase(7L, 0, "max_images")]
    public void Validate_WhenAnArgumentIsNotPositive_NamesIt(long jobId, int maxImages, string field)
    {
        var errors = new GetJobPageValidator().Validate(new GetJobPageQuery(jobId, maxImages)).Errors.Select(e => (e.PropertyName, e.ErrorMessage));

        Assert.That(errors, Is.EqualTo(new[] { (field, "must be a positive integer") }));
    }
}
