using KC.Application.Common.Interfaces;
using KC.Application.Jobs;

namespace KC.Application.UnitTests.Jobs;

[TestFixture]
public sealed class StoreErrorSummaryTests
{
    private static FailedImage Failure(string storeId = "S1", bool storeKnown = true, string imageUrl = "https://example.com/a.jpg", string error = "HTTP 404") =>
        new(storeId, storeKnown, imageUrl, error);

    private static FailedImage Unknown(string storeId, string imageUrl = "https://example.com/u.jpg") =>
        Failure(storeId, storeKnown: false, imageUrl: imageUrl, error: "unknown store_id");

    [Test]
    public void Summarize_WhenNoFailures_ReturnsNoEntries()
    {
        var errors = StoreErrorSummary.Summarize([]);

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void Summarize_WhenStoresAreInterleaved_ReturnsOneEntryPerStoreInFirstAppearanceOrder()
    {
        var failures = new[]
        {
            Failure("S2", imageUrl: "https://example.com/1.jpg"),
            Unknown("S9"),
            Failure("S1", imageUrl: "https://example.com/2.jpg"),
            Failure("S2", imageUrl: "https://example.com/3.jpg"),
            Unknown("S9"),
        };

        var errors = StoreErrorSummary.Summarize(failures);

        Assert.That(errors.Select(e => e.StoreId), Is.EqualTo(new[] { "S2", "S9", "S1" }));
    }

    [Test]
    public void Summarize_WhenStoreIsUnknown_SaysUnknownStoreId()
    {
        var failures = new[] { Unknown("S9", "https://example.com/a.jpg"), Unknown("S9", "https://example.com/b.jpg") };

        var errors = StoreErrorSummary.Summarize(failures);

        Assert.That(errors, Is.EqualTo(new[] { new StoreError("S9", "unknown store_id") }));
    }

    [Test]
    public void Summarize_WhenStoreHasOneFailure_SaysUrlAndError()
    {
        var failures = new[] { Failure("S1", imageUrl: "https://example.com/c.jpg", error: "HTTP 404") };

        var errors = StoreErrorSummary.Summarize(failures);

        Assert.That(errors, Is.EqualTo(new[] { new StoreError("S1", "https://example.com/c.jpg: HTTP 404") }));
    }

    [Test]
    public void Summarize_WhenStoreHasTwoFailures_SaysCountAndListsBoth()
    {
        var failures = new[]
        {
            Failure(imageUrl: "https://example.com/a.jpg", error: "HTTP 404"),
            Failure(imageUrl: "https://example.com/b.jpg", error: "not a decodable image"),
        };

        var errors = StoreErrorSummary.Summarize(failures);

        Assert.That(errors.Single().Error, Is.EqualTo("2 images failed: https://example.com/a.jpg: HTTP 404; https://example.com/b.jpg: not a decodable image"));
    }

    [Test]
    public void Summarize_WhenStoreHasThreeFailures_ListsAllThreeWithoutMore()
    {
        var failures = Enumerable.Range(1, 3).Select(i => Failure(imageUrl: $"https://example.com/{i}.jpg", error: $"HTTP 50{i}"));

        var errors = StoreErrorSummary.Summarize(failures);

        Assert.That(
            errors.Single().Error,
            Is.EqualTo("3 images failed: https://example.com/1.jpg: HTTP 501; https://example.com/2.jpg: HTTP 502; https://example.com/3.jpg: HTTP 503"));
    }

    [Test]
    public void Summarize_WhenStoreHasMoreThanThreeFailures_ListsTheFirstThreeAndCountsTheRest()
    {
        var failures = Enumerable.Range(1, 5).Select(i => Failure(imageUrl: $"https://example.com/{i}.jpg", error: $"HTTP 50{i}"));

        var errors = StoreErrorSummary.Summarize(failures);

        Assert.That(
            errors.Single().Error,
            Is.EqualTo("5 images failed: https://example.com/1.jpg: HTTP 501; https://example.com/2.jpg: HTTP 502; https://example.com/3.jpg: HTTP 503; and 2 more"));
    }

    [Test]
    public void Summarize_WhenSeveralStoresFail_SummarisesEachStoreSeparately()
    {
        var failures = new[]
        {
            Unknown("S9"),
            Failure("S1", imageUrl: "https://example.com/a.jpg", error: "HTTP 404"),
            Failure("S2", imageUrl: "https://example.com/b.jpg", error: "timeout"),
            Failure("S2", imageUrl: "https://example.com/c.jpg", error: "HTTP 500"),
        };

        var errors = StoreErrorSummary.Summarize(failures);

        Assert.That(errors, Is.EqualTo(new[]
        {
            new StoreError("S9", "unknown store_id"),
            new StoreError("S1", "https://example.com/a.jpg: HTTP 404"),
            new StoreError("S2", "2 images failed: https://example.com/b.jpg: timeout; https://example.com/c.jpg: HTTP 500"),
        }));
    }

    [Test]
    public void Summarize_WhenStoreIdsDifferOnlyInCase_KeepsThemApart()
    {
        var failures = new[] { Failure("s1", error: "HTTP 404"), Failure("S1", error: "HTTP 410") };

        var errors = StoreErrorSummary.Summarize(failures);

        Assert.That(errors.Select(e => e.StoreId), Is.EqualTo(new[] { "s1", "S1" }));
    }
}
