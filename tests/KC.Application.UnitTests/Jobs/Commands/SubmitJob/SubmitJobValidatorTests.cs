using FluentValidation.Results;
using KC.Application.Jobs.Commands.SubmitJob;

namespace KC.Application.UnitTests.Jobs.Commands.SubmitJob;

/// <summary>Every 400 case of CONTRACT §1 that the validator owns, with the wire name and the sentence.</summary>
[TestFixture]
public sealed class SubmitJobValidatorTests
{
    private const string NotAnHttpUrl = "must be an absolute http or https URL";
    private const string NotATimestamp = "must be an RFC 3339 timestamp with an offset, such as 2025-03-11T12:00:00Z";

    private static readonly SubmitLimits SmallLimits = new()
    {
        MaxImagesPerJob = 3,
        MaxVisitsPerJob = 2,
        MaxUrlLength = 30,
        MaxStoreIdLength = 5,
    };

    private static IEnumerable<(string Property, string Message)> Validate(SubmitJobCommand command, SubmitLimits? limits = null) =>
        Errors(new SubmitJobValidator(limits ?? new SubmitLimits()).Validate(command));

    private static IEnumerable<(string Property, string Message)> Errors(ValidationResult result) =>
        result.Errors.Select(e => (e.PropertyName, e.ErrorMessage));

    /// <summary>A visit that fits <see cref="SmallLimits"/> apart from what the test varies.</summary>
    private static SubmittedVisit SmallVisit(params string?[] imageUrls) => Commands.Visit(storeId: "S1", imageUrls: imageUrls);

    private static (string, string)[] Error(string property, string message) => [(property, message)];

    [Test]
    public void Validate_WhenCommandIsValid_HasNoErrors()
    {
        var errors = Validate(Commands.Valid());

        Assert.That(errors, Is.Empty);
    }

    [TestCase("2025-03-11T12:00:00Z")]
    [TestCase("2025-03-11T17:30:00+05:30")]
    [TestCase("2025-03-11T04:00:00-08:00")]
    [TestCase("2025-03-11T12:00:00.5Z")]
    [TestCase("2025-03-11T12:00:00.123456Z")]
    [TestCase("2025-03-11T12:00:00.123456789+05:30")]
    public void Validate_WhenVisitTimeIsRfc3339WithOffset_HasNoErrors(string visitTime)
    {
        var errors = Validate(Commands.Submit(Commands.Visit(visitTime: visitTime)));

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void Validate_WhenUrlHasSurroundingSpaces_HasNoErrors()
    {
        var errors = Validate(Commands.Submit(Commands.Visit(imageUrls: ["  https://example.com/a.jpg "])));

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void Validate_WhenCountIsMissing_NamesCount()
    {
        var errors = Validate(Commands.Submit(count: null, [Commands.Visit()]));

        Assert.That(errors, Is.EqualTo(Error("count", "is required")));
    }

    [TestCase(0)]
    [TestCase(2)]
    [TestCase(-1)]
    public void Validate_WhenCountDiffersFromNumberOfVisits_NamesCountWithBothNumbers(int count)
    {
        var errors = Validate(Commands.Submit(count, [Commands.Visit()]));

        Assert.That(errors, Is.EqualTo(Error("count", $"must equal the number of visits (1), but is {count}")));
    }

    [Test]
    public void Validate_WhenVisitsAreMissing_NamesVisits()
    {
        var errors = Validate(Commands.Submit(count: 1, visits: null));

        Assert.That(errors, Is.EqualTo(Error("visits", "is required")));
    }

    [Test]
    public void Validate_WhenCountAndVisitsAreMissing_NamesBoth()
    {
        var errors = Validate(Commands.Submit(count: null, visits: null));

        Assert.That(errors, Is.EquivalentTo(new[] { ("count", "is required"), ("visits", "is required") }));
    }

    [Test]
    public void Validate_WhenVisitsAreEmpty_NamesVisits()
    {
        var errors = Validate(Commands.Submit(count: 0, visits: []));

        Assert.That(errors, Is.EqualTo(Error("visits", "must contain at least one visit")));
    }

    [Test]
    public void Validate_WhenAVisitIsNull_NamesThatVisit()
    {
        var errors = Validate(Commands.Submit(Commands.Visit(), null));

        Assert.That(errors, Is.EqualTo(Error("visits[1]", "must be an object")));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void Validate_WhenStoreIdIsMissingOrBlank_NamesStoreIdOfThatVisit(string? storeId)
    {
        var errors = Validate(Commands.Submit(Commands.Visit(), Commands.Visit(storeId: storeId)));

        Assert.That(errors, Is.EqualTo(Error("visits[1].store_id", "is required and must not be blank")));
    }

    [Test]
    public void Validate_WhenImageUrlIsMissing_NamesImageUrl()
    {
        var errors = Validate(Commands.Submit(Commands.VisitWithoutImages()));

        Assert.That(errors, Is.EqualTo(Error("visits[0].image_url", "is required")));
    }

    [Test]
    public void Validate_WhenImageUrlIsEmpty_NamesImageUrl()
    {
        var errors = Validate(Commands.Submit(Commands.Visit(imageUrls: [])));

        Assert.That(errors, Is.EqualTo(Error("visits[0].image_url", "must contain at least one image URL")));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("/c.jpg")]
    [TestCase("c.jpg")]
    [TestCase("//example.com/c.jpg")]
    [TestCase("ftp://example.com/c.jpg")]
    [TestCase("file:///etc/passwd")]
    [TestCase("javascript:alert(1)")]
    [TestCase("http://")]
    [TestCase("https://")]
    public void Validate_WhenAnImageUrlIsNotAbsoluteHttp_NamesThatEntry(string? url)
    {
        var command = Commands.Submit(Commands.Visit(), Commands.Visit(imageUrls: ["https://example.com/ok.jpg", url]));

        var errors = Validate(command);

        Assert.That(errors, Is.EqualTo(Error("visits[1].image_url[1]", NotAnHttpUrl)));
    }

    [Test]
    public void Validate_WhenSeveralImageUrlsAreBad_NamesEachEntry()
    {
        // The problem-details "errors" member should name every bad entry, not only the first.
        var errors = Validate(Commands.Submit(Commands.Visit(imageUrls: ["/a.jpg", "https://example.com/b.jpg", "ftp://example.com/c.jpg"])));

        Assert.That(errors, Is.EqualTo(new[] { ("visits[0].image_url[0]", NotAnHttpUrl), ("visits[0].image_url[2]", NotAnHttpUrl) }));
    }

    [Test]
    public void Validate_WhenSeveralVisitsAreBad_NamesEachVisit()
    {
        // The problem-details "errors" member should name every bad visit, not only the first.
        var errors = Validate(Commands.Submit(Commands.Visit(storeId: " "), Commands.Visit(), Commands.Visit(visitTime: "noon")));

        Assert.That(errors, Is.EqualTo(new[] { ("visits[0].store_id", "is required and must not be blank"), ("visits[2].visit_time", NotATimestamp) }));
    }

    [Test]
    public void Validate_WhenVisitTimeIsMissing_NamesVisitTime()
    {
        var errors = Validate(Commands.Submit(Commands.Visit(visitTime: null)));

        Assert.That(errors, Is.EqualTo(Error("visits[0].visit_time", "is required")));
    }

    [TestCase("")]
    [TestCase("yesterday")]
    [TestCase("2025-03-11")]
    [TestCase("2025-03-11T12:00:00")]
    [TestCase("2025-03-11T12:00:00.123")]
    [TestCase("2025-02-30T12:00:00Z")]
    [TestCase("11/03/2025 12:00:00 +00:00")]
    public void Validate_WhenVisitTimeIsNotATimestampWithOffset_NamesVisitTime(string visitTime)
    {
        var errors = Validate(Commands.Submit(Commands.Visit(), Commands.Visit(visitTime: visitTime)));

        Assert.That(errors, Is.EqualTo(Error("visits[1].visit_time", NotATimestamp)));
    }

    [Test]
    public void Validate_WhenVisitHasSeveralProblems_NamesEachField()
    {
        var errors = Validate(Commands.Submit(new SubmittedVisit(" ", [], "noon")));

        Assert.That(errors, Is.EquivalentTo(new[]
        {
            ("visits[0].store_id", "is required and must not be blank"),
            ("visits[0].image_url", "must contain at least one image URL"),
            ("visits[0].visit_time", NotATimestamp),
        }));
    }

    [Test]
    public void Validate_WhenImagesExceedTheJobLimit_NamesVisitsAndTheLimit()
    {
        var command = Commands.Submit(
            SmallVisit("http://a.example/1", "http://a.example/2"),
            SmallVisit("http://a.example/3", "http://a.example/4"));

        var errors = Validate(command, SmallLimits);

        Assert.That(errors, Is.EqualTo(Error("visits", "hold 4 images, over the limit of 3 images per job (Api:MaxImagesPerJob)")));
    }

    [Test]
    public void Validate_WhenImagesReachTheJobLimit_HasNoErrors()
    {
        var command = Commands.Submit(
            SmallVisit("http://a.example/1", "http://a.example/2"),
            SmallVisit("http://a.example/3"));

        var errors = Validate(command, SmallLimits);

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void Validate_WhenAUrlExceedsTheLengthLimit_NamesThatEntryAndTheLimit()
    {
        var longUrl = "http://a.example/" + new string('x', 14);

        var errors = Validate(Commands.Submit(SmallVisit("http://a.example/1", longUrl)), SmallLimits);

        Assert.That(longUrl, Has.Length.EqualTo(31));
        Assert.That(errors, Is.EqualTo(Error("visits[0].image_url[1]", "exceeds the limit of 30 characters per URL (Api:MaxUrlLength)")));
    }

    [Test]
    public void Validate_WhenAUrlHasExactlyTheLengthLimit_HasNoErrors()
    {
        var url = "http://a.example/" + new string('x', 13);

        var errors = Validate(Commands.Submit(SmallVisit(url)), SmallLimits);

        Assert.That(url, Has.Length.EqualTo(30));
        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void Validate_WhenStoreIdExceedsTheLengthLimit_NamesStoreIdAndTheLimit()
    {
        var command = Commands.Submit(SmallVisit("http://a.example/1") with { StoreId = "S1234" }, SmallVisit("http://a.example/2") with { StoreId = "S12345" });

        var errors = Validate(command, SmallLimits);

        Assert.That(errors, Is.EqualTo(Error("visits[1].store_id", "must be at most 5 characters")));
    }

    [Test]
    public void Validate_WhenVisitsExceedTheJobLimit_NamesVisitsAndTheLimit()
    {
        var command = Commands.Submit(
            SmallVisit("http://a.example/1"),
            SmallVisit("http://a.example/2"),
            SmallVisit("http://a.example/3"));

        var errors = Validate(command, SmallLimits);

        Assert.That(errors, Is.EqualTo(Error("visits", "exceeds the limit of 2 visits per job (Api:MaxVisitsPerJob)")));
    }

    [Test]
    public void Validate_WhenLimitsAreTheDefaults_AcceptsALargeValidJob()
    {
        var urls = Enumerable.Range(0, 500).Select(i => (string?)$"https://example.com/{i}.jpg").ToList();
        var visits = Enumerable.Range(0, 20).Select(i => (SubmittedVisit?)Commands.Visit(storeId: $"S{i:D8}", imageUrls: urls)).ToArray();

        var errors = Validate(Commands.Submit(visits));

        Assert.That(errors, Is.Empty);
    }
}
