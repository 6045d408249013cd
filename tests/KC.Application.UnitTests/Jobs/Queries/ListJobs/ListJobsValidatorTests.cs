using KC.Application.Jobs.Queries.ListJobs;
using KC.Application.UnitTests.Common.Paging;

namespace KC.Application.UnitTests.Jobs.Queries.ListJobs;

[TestFixture]
public sealed class ListJobsValidatorTests
{
    private static readonly ListJobsValidator Validator = new();

    [TestCase(null)]
    [TestCase("ongoing")]
    [TestCase("completed")]
    [TestCase("failed")]
    [TestCase("cancelled")]
    public void Validate_WhenStatusIsAbsentOrAContractWord_HasNoErrors(string? status)
    {
        var errors = Validator.Errors(new ListJobsQuery(status));

        Assert.That(errors, Is.Empty);
    }

    [TestCase("done")]
    [TestCase("Completed")]
    [TestCase("1")]
    [TestCase("")]
    public void Validate_WhenStatusIsNotAContractWord_NamesStatus(string status)
    {
        var errors = Validator.Errors(new ListJobsQuery(status));

        Assert.That(errors, Is.EqualTo(new[] { ("status", "must be one of ongoing, completed, failed, cancelled") }));
    }

    [TestCase(0L, "must be a positive integer")]
    [TestCase(-1L, "must be a positive integer")]
    [TestCase(2_147_483_648L, "must be at most 2147483647")]
    public void Validate_WhenPageIsOutOfRange_NamesPage(long page, string message)
    {
        var errors = Validator.Errors(new ListJobsQuery(Page: page));

        Assert.That(errors, Is.EqualTo(new[] { ("page", message) }));
    }

    [TestCase(0L)]
    [TestCase(501L)]
    [TestCase(-1L)]
    public void Validate_WhenPageSizeIsOutOfRange_NamesPageSize(long pageSize)
    {
        var errors = Validator.Errors(new ListJobsQuery(PageSize: pageSize));

        Assert.That(errors, Is.EqualTo(new[] { ("page_size", "must be between 1 and 500") }));
    }

    [TestCase(1L, 1L)]
    [TestCase(2_147_483_647L, 500L)]
    public void Validate_WhenPagingIsAtItsLimits_HasNoErrors(long page, long pageSize)
    {
        var errors = Validator.Errors(new ListJobsQuery(null, page, pageSize));

        Assert.That(errors, Is.Empty);
    }
}
