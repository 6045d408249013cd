using KC.Application.Common.Interfaces;
using KC.Application.Jobs.Commands.SubmitJob;
using KC.Domain.Jobs;
using Moq;
using KC.TestSupport;

namespace KC.Application.UnitTests.Jobs.Commands.SubmitJob;

[TestFixture]
public sealed class SubmitJobHandlerTests
{
    private const string UnknownStoreId = "S99999999";
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 10, 0, 0, TimeSpan.Zero);

    private Mock<IJobRepository> _jobs = null!;
    private Mock<IStoreMaster> _storeMaster = null!;
    private Mock<IWorkSignal> _workSignal = null!;
    private List<string> _calls = null!;
    private Job? _added;

    [SetUp]
    public void SetUp()
    {
        _calls = [];
        _added = null;
        _jobs = new Mock<IJobRepository>(MockBehavior.Strict);
        _jobs.Setup(r => r.Add(It.IsAny<Job>())).Callback((Job job) =>
        {
            _calls.Add("add");
            _added = job;
        });
        _jobs.Setup(r => r.SaveChangesAsync(It.IsAny<CancellationToken>())).Returns(() =>
        {
            _calls.Add("save");
            _added!.AssignId(42);
            return Task.CompletedTask;
        });
        _storeMaster = new Mock<IStoreMaster>(MockBehavior.Strict);
        _storeMaster
            .Setup(m => m.FindExistingAsync(It.IsAny<IReadOnlyCollection<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyCollection<string> ids, CancellationToken _) =>
                (IReadOnlySet<string>)ids.Where(id => id != UnknownStoreId).ToHashSet(StringComparer.Ordinal));
        _workSignal = new Mock<IWorkSignal>(MockBehavior.Strict);
        _workSignal.Setup(s => s.NotifyWorkAvailable()).Callback(() => _calls.Add("notify"));
    }

    private SubmitJobHandler Handler() => new(_jobs.Object, _storeMaster.Object, _workSignal.Object, new FakeTimeProvider(Now));

    [Test]
    public async Task Handle_WhenCommandIsValid_AddsAJobWithTheSubmittedVisitsAndImages()
    {
        var command = Commands.Submit(
            Commands.Visit(storeId: " S00339218 ", imageUrls: [" https://example.com/a.jpg", "https://example.com/b.jpg "], visitTime: "2025-03-11T17:30:00+05:30"),
            Commands.Visit(storeId: "S01408764", imageUrls: ["https://example.com/c.jpg"], visitTime: "2025-03-11T12:30:00Z"));

        await Handler().Handle(command, CancellationToken.None);

        Assert.That(_added, Is.Not.Null);
        Assert.That(_added!.CreatedAt, Is.EqualTo(Now));
        Assert.That(_added.TotalImages, Is.EqualTo(3));
        Assert.That(
            _added.Visits.Select(v => (v.StoreId, v.VisitTime, v.StoreKnown)),
            Is.EqualTo(new[]
            {
                ("S00339218", new DateTimeOffset(2025, 3, 11, 12, 0, 0, TimeSpan.Zero), true),
                ("S01408764", new DateTimeOffset(2025, 3, 11, 12, 30, 0, TimeSpan.Zero), true),
            }));
        Assert.That(
            _added.Visits.Select(v => v.Images.Select(i => i.Url).ToArray()),
            Is.EqualTo(new[] { new[] { "https://example.com/a.jpg", "https://example.com/b.jpg" }, new[] { "https://example.com/c.jpg" } }));
        Assert.That(_added.Visits.SelectMany(v => v.Images).Select(i => i.State), Is.All.EqualTo(ImageState.Pending));
    }

    [Test]
    public async Task Handle_WhenStoresRepeat_LooksUpEachDistinctStoreOnce()
    {
        var command = Commands.Submit(
            Commands.Visit(storeId: "S1"),
            Commands.Visit(storeId: "S2"),
            Commands.Visit(storeId: "S1"),
            Commands.Visit(storeId: " S2 "));

        await Handler().Handle(command, CancellationToken.None);

        _storeMaster.Verify(
            m => m.FindExistingAsync(It.Is<IReadOnlyCollection<string>>(ids => ids.Count == 2 && ids.Contains("S1") && ids.Contains("S2")), It.IsAny<CancellationToken>()),
            Times.Once);
        _storeMaster.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Handle_WhenCommandIsValid_AddsOnceThenSavesOnceThenNotifies()
    {
        await Handler().Handle(Commands.Valid(), CancellationToken.None);

        Assert.That(_calls, Is.EqualTo(new[] { "add", "save", "notify" }));
        _jobs.Verify(r => r.Add(It.IsAny<Job>()), Times.Once);
        _jobs.Verify(r => r.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task Handle_WhenCommandIsValid_PassesTheCancellationTokenOn()
    {
        using var cts = new CancellationTokenSource();

        await Handler().Handle(Commands.Valid(), cts.Token);

        _storeMaster.Verify(m => m.FindExistingAsync(It.IsAny<IReadOnlyCollection<string>>(), cts.Token), Times.Once);
        _jobs.Verify(r => r.SaveChangesAsync(cts.Token), Times.Once);
    }

    [Test]
    public async Task Handle_WhenSaved_ReturnsTheJobsId()
    {
        var result = await Handler().Handle(Commands.Valid(), CancellationToken.None);

        Assert.That(result, Is.EqualTo(new SubmitJobResult(42)));
        Assert.That(_added!.Id, Is.EqualTo(42));
    }

    [Test]
    public async Task Handle_WhenOneStoreIsUnknown_NotifiesAndSettlesOnlyThatStoresImages()
    {
        var command = Commands.Submit(Commands.Visit(storeId: UnknownStoreId), Commands.Visit(storeId: Commands.OtherStoreId));

        await Handler().Handle(command, CancellationToken.None);

        Assert.That(_added!.Status, Is.EqualTo(JobStatus.Ongoing));
        Assert.That(_added.Visits.Select(v => (v.StoreId, v.StoreKnown)), Is.EqualTo(new[] { (UnknownStoreId, false), (Commands.OtherStoreId, true) }));
        Assert.That(_added.Progress, Is.EqualTo(new JobProgress(4, 0, 2)));
        _workSignal.Verify(s => s.NotifyWorkAvailable(), Times.Once);
    }

    [Test]
    public async Task Handle_WhenEveryStoreIsUnknown_SavesAFailedJobWithoutNotifying()
    {
        var command = Commands.Submit(Commands.Visit(storeId: UnknownStoreId), Commands.Visit(storeId: UnknownStoreId));

        var result = await Handler().Handle(command, CancellationToken.None);

        Assert.That(result.JobId, Is.EqualTo(42));
        Assert.That(_added!.Status, Is.EqualTo(JobStatus.Failed));
        Assert.That(_added.CompletedAt, Is.EqualTo(Now));
        Assert.That(_calls, Is.EqualTo(new[] { "add", "save" }));
        _workSignal.Verify(s => s.NotifyWorkAvailable(), Times.Never);
    }

    [Test]
    public void Handle_WhenSavingFails_DoesNotNotify()
    {
        _jobs.Setup(r => r.SaveChangesAsync(It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException("database is locked"));

        Func<Task> act = async () => await Handler().Handle(Commands.Valid(), CancellationToken.None);

        Assert.That(act, Throws.InvalidOperationException);
        _workSignal.Verify(s => s.NotifyWorkAvailable(), Times.Never);
    }
}
