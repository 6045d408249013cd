using KC.Application.UnitTests.Common.Paging;
using KC.Application.Visits.Queries.SearchVisits;

namespace KC.Application.UnitTests.Visits.Queries.SearchVisits;

[TestFixture]
public sealed class SearchVisitsValidatorTests
{
    private const string DateError = "must be an RFC 3339 timestamp such as 2025-03-11T12:00:00Z, or a date such as 2025-03-11";

    private static readonly SearchVisitsValidator Validator = new();

    [TestCase(null, null)]
    [TestCase("2025-03-11", "2025-03-11")]
    [TestCase("2025-03-11T12:00:00Z", "2025-03-11T12:00:00Z")]
    [TestCase("2025-03-11T23:59:59Z", "2025-03-11")]
    [TestCase("2025-03-11", null)]
    [TestCase(null, "2025-03-11T12:00:00+05:30")]
    public void Validate_WhenDatesAreReadableAndInOrder_HasNoErrors(string? startDate, string? endDate)
    {
        var errors = Validator.Errors(new SearchVisitsQuery(StartDate: startDate, EndDate: endDate));

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void Validate_WhenStartDateIsUnreadable_NamesOnlyStartDate()
    {
        var errors = Validator.Errors(new SearchVisitsQuery(StartDate: "yesterday", EndDate: "2025-03-11"));

        Assert.That(errors, Is.EqualTo(new[] { ("startdate", DateError) }));
    }

    [Test]
    public void Validate_WhenEndDateIsUnreadable_NamesOnlyEndDate()
    {
        var errors = Validator.Errors(new SearchVisitsQuery(StartDate: "2025-03-11", EndDate: "2025-03-11T12:00"));

        Assert.That(errors, Is.EqualTo(new[] { ("enddate", DateError) }));
    }

    [TestCase("2025-03-12", "2025-03-11")]
    [TestCase("2025-03-11T12:00:00.0000001Z", "2025-03-11T12:00:00Z")]
    [TestCase("2025-03-12", "2025-03-11T23:59:59.9999999Z")]
    public void Validate_WhenStartIsAfterEnd_NamesStartDate(string startDate, string endDate)
    {
        var errors = Validator.Errors(new SearchVisitsQuery(StartDate: startDate, EndDate: endDate));

        Assert.That(errors, Is.EqualTo(new[] { ("startdate", "must not be after enddate") }));
    }

    [Test]
    public void Validate_WhenFiltersAreLongerThanAnyStoreHas_NamesThem()
    {
        var errors = Validator.Errors(new SearchVisitsQuery(Area: new string('7', 33), StoreId: new string('S', 65)));

        Assert.That(errors, Is.EqualTo(new[] { ("area", "must be at most 32 characters"), ("storeid", "must be at most 64 characters") }));
    }

    [Test]
    public void Validate_WhenPagingIsOutOfRange_NamesPageAndPageSize()
    {
        var errors = Validator.Errors(new SearchVisitsQuery(Page: 0, PageSize: 501));

        Assert.That(errors, Is.EqualTo(new[] { ("page", "must be a positive integer"), ("page_size", "must be between 1 and 500") }));
    }
}
