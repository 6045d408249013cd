using KC.Application.Jobs.Queries.GetJobStatus;

namespace KC.Application.UnitTests.Jobs.Queries.GetJobStatus;

[TestFixture]
public sealed class GetJobStatusValidatorTests
{
    private static IEnumerable<(string, string)> Validate(long? jobId) =>
        new GetJobStatusValidator().Validate(new GetJobStatusQuery(jobId)).Errors.Select(e => (e.PropertyName, e.ErrorMessage));

    [Test]
    public void Validate_WhenJobIdIsMissing_NamesJobIdOnce()
    {
        var errors = Validate(null);

        Assert.That(errors, Is.EqualTo(new[] { ("jobid", "is required") }));
    }

    [TestCase(0L)]
    [TestCase(-1L)]
    [TestCase(long.MinValue)]
    public void Validate_WhenJobIdIsNotPositive_NamesJobId(long jobId)
    {
        var errors = Validate(jobId);

        Assert.That(errors, Is.EqualTo(new[] { ("jobid", "must be a positive integer") }));
    }

    [TestCase(1L)]
    [TestCase(long.MaxValue)]
    public void Validate_WhenJobIdIsPositive_HasNoErrors(long jobId)
    {
        var errors = Validate(jobId);

        Assert.That(errors, Is.Empty);
    }
}
