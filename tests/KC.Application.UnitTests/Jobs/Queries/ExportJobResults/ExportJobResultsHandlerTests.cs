using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Jobs.Queries.ExportJobResults;
using KC.Domain.Jobs;
using Moq;

namespace KC.Application.UnitTests.Jobs.Queries.ExportJobResults;

[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class ExportJobResultsHandlerTests
{
    private readonly Mock<IJobListReadModel> _readModel = new(MockBehavior.Strict);

    [Test]
    public async Task Handle_WhenJobExists_ReturnsTheReadModelsRowsUnread()
    {
        var rows = new CountingRows(new JobResultRow("S1", "ONE", "1", DateTimeOffset.UnixEpoch, "https://e.com/a.jpg", ImageState.Succeeded, 2, 3, 10, null));
        _readModel.Setup(r => r.JobExistsAsync(4, It.IsAny<CancellationToken>())).ReturnsAsync(true);
        _readModel.Setup(r => r.ReadResults(4)).Returns(rows);

        var export = await new ExportJobResultsHandler(_readModel.Object).Handle(new ExportJobResultsQuery(4), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(export.JobId, Is.EqualTo(4));
            Assert.That(export.Rows, Is.SameAs(rows));
            Assert.That(rows.Enumerations, Is.Zero, "the rows are read while the response is written, not by the handler");
        });
    }

    [Test]
    public void Handle_WhenJobDoesNotExist_ThrowsNotFoundBeforeAnyRowIsRead()
    {
        _readModel.Setup(r => r.JobExistsAsync(5, It.IsAny<CancellationToken>())).ReturnsAsync(false);

        Func<Task> act = async () => await new ExportJobResultsHandler(_readModel.Object).Handle(new ExportJobResultsQuery(5), CancellationToken.None);

        Assert.That(act, Throws.TypeOf<NotFoundException>().With.Message.EqualTo("Job 5 was not found."));
        _readModel.Verify(r => r.ReadResults(It.IsAny<long>()), Times.Never);
    }

    [TestCase(0L)]
    [TestCase(-1L)]
    public void Validate_WhenJobIdIsNotPositive_NamesJobId(long jobId)
    {
        var errors = new ExportJobResultsValidator().Validate(new ExportJobResultsQuery(jobId)).Errors.Select(e => (e.PropertyName, e.ErrorMessage));

        Assert.That(errors, Is.EqualTo(new[] { ("job_id", "must be a positive integer") }));
    }

    private sealed class CountingRows(params JobResultRow[] rows) : IAsyncEnumerable<JobResultRow>
    {
        public int Enumerations { get; private set; }

        public IAsyncEnumerator<JobResultRow> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            Enumerations++;
            return rows.ToAsyncEnumerable().GetAsyncEnumerator(cancellationToken);
        }
    }
}
