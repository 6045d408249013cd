using KC.Application.Jobs.Queries.GetJobDetails;

namespace KC.Application.UnitTests.Jobs.Queries.GetJobDetails;

[TestFixture]
public sealed class GetJobDetailsValidatorTests
{
    private static IEnumerable<(string, string)> Validate(long jobId) =>
        new GetJobDetailsValidator().Validate(new GetJobDetailsQuery(jobId)).Errors.Select(e => (e.PropertyName, e.ErrorMessage));

    [TestCase(0L)]
    [TestCase(-5L)]
    public void Validate_WhenJobIdIsNotPositive_NamesJobId(long jobId)
    {
        var errors = Validate(jobId);

        Assert.That(errors, Is.EqualTo(new[] { ("job_id", "must be a positive integer") }));
    }

    [TestCase(1L)]
    [TestCase(123L)]
    public void Validate_WhenJobIdIsPositive_HasNoErrors(long jobId)
    {
        var errors = Validate(jobId);

        Assert.That(errors, Is.Empty);
    }
}
