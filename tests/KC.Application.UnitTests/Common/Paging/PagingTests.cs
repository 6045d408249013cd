using KC.Application.Common.Paging;

namespace KC.Application.UnitTests.Common.Paging;

[TestFixture]
public sealed class PagingTests
{
    private sealed record Paged(long? Page, long? PageSize) : IPagedQuery;

    [Test]
    public void From_WhenNeitherIsGiven_AsksForTheFirstPageOfFifty()
    {
        var request = PageRequest.From(new Paged(null, null));

        Assert.That(request, Is.EqualTo(new PageRequest(1, 50)));
    }

    [Test]
    public void Offset_WhenPagePassesIntMaxValue_IsComputedWithoutOverflow()
    {
        var request = new PageRequest(int.MaxValue, 500);

        var offset = request.Offset;

        Assert.That(offset, Is.EqualTo((int.MaxValue - 1L) * 500));
    }

    [TestCase(0, 0)]
    [TestCase(1, 1)]
    [TestCase(2, 1)]
    [TestCase(3, 2)]
    [TestCase(5, 3)]
    public void TotalPages_WhenListHasItems_CountsAPartialLastPage(long totalItems, long expectedPages)
    {
        var page = new ResultPage<int>([], new PageRequest(1, 2), totalItems);

        var pages = page.TotalPages;

        Assert.That(pages, Is.EqualTo(expectedPages));
    }
}
