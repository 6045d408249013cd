using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Jobs.Commands.SubmitJob;
using KC.Domain.Jobs;
using Moq;
using KC.TestSupport;

namespace KC.Application.UnitTests.Jobs.Commands.SubmitJob;

/// <summary>The handler's side of <c>Idempotency-Key</c> and <c>callback_url</c>, with mocked ports.</summary>
[TestFixture]
public sealed class SubmitJobIdempotencyTests
{
    private const string Key = "order-1001";

    // What the API passes for two clients: the fingerprints of their API keys.
    private const string ClientA = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    private const string ClientB = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 10, 0, 0, TimeSpan.Zero);

    private Mock<IJobRepository> _jobs = null!;
    private Mock<IStoreMaster> _storeMaster = null!;
    private Mock<IWorkSignal> _workSignal = null!;
    private Job? _added;
    private NewIdempotencyKey? _addedKey;

    [SetUp]
    public void SetUp()
    {
        _added = null;
        _addedKey = null;
        _jobs = new Mock<IJobRepository>(MockBehavior.Strict);
        _jobs.Setup(r => r.Add(It.IsAny<Job>())).Callback((Job job) => _added = job);
        _jobs.Setup(r => r.Add(It.IsAny<Job>(), It.IsAny<NewIdempotencyKey>())).Callback((Job job, NewIdempotencyKey key) =>
        {
            _added = job;
            _addedKey = key;
        });
        _jobs.Setup(r => r.SaveChangesAsync(It.IsAny<CancellationToken>())).Returns(() =>
        {
            _added!.AssignId(42);
            return Task.CompletedTask;
        });
        _jobs.Setup(r => r.FindIdempotencyKeyAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IdempotencyKeyRecord?)null);
        _storeMaster = new Mock<IStoreMaster>(MockBehavior.Strict);
        _storeMaster
            .Setup(m => m.FindExistingAsync(It.IsAny<IReadOnlyCollection<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyCollection<string> ids, CancellationToken _) => (IReadOnlySet<string>)ids.ToHashSet(StringComparer.Ordinal));
        _workSignal = new Mock<IWorkSignal>(MockBehavior.Strict);
        _workSignal.Setup(s => s.NotifyWorkAvailable());
    }

    [Test]
    public async Task Handle_WhenKeyIsNew_AddsTheJobWithTheKeyItsRequestHashAndExpiry()
    {
        var command = Commands.Valid() with { IdempotencyKey = Key };

        var result = await Handler().Handle(command, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new SubmitJobResult(42, Replayed: false)));
        Assert.That(_addedKey, Is.EqualTo(new NewIdempotencyKey(IdempotencyScope.Shared, Key, HashOf(command), Now, Now.AddHours(24))));
        _jobs.Verify(r => r.FindIdempotencyKeyAsync(IdempotencyScope.Shared, Key, Now, It.IsAny<CancellationToken>()), Times.Once);
        _jobs.Verify(r => r.Add(It.IsAny<Job>()), Times.Never);
        _workSignal.Verify(s => s.NotifyWorkAvailable(), Times.Once);
    }

    [Test]
    public async Task Handle_WhenKeyLifetimeIsConfigured_ExpiresTheKeyAfterIt()
    {
        var command = Commands.Valid() with { IdempotencyKey = Key };

        await Handler(new SubmitLimits { IdempotencyKeyHours = 0.5 }).Handle(command, CancellationToken.None);

        Assert.That(_addedKey!.ExpiresAt, Is.EqualTo(Now.AddMinutes(30)));
    }

    [Test]
    public async Task Handle_WhenKeyWasUsedWithTheSameBody_ReplaysTheEarlierJobWithoutStoringAnything()
    {
        var command = Commands.Valid() with { IdempotencyKey = Key };
        FindReturns(new IdempotencyKeyRecord(Key, HashOf(command), 7));

        var result = await Handler().Handle(command, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new SubmitJobResult(7, Replayed: true)));
        _jobs.Verify(r => r.Add(It.IsAny<Job>(), It.IsAny<NewIdempotencyKey>()), Times.Never);
        _jobs.Verify(r => r.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Never);
        _storeMaster.VerifyNoOtherCalls();
        _workSignal.VerifyNoOtherCalls();
    }

    [Test]
    public void Handle_WhenKeyWasUsedWithADifferentBody_ThrowsIdempotencyKeyMismatch()
    {
        var command = Commands.Valid() with { IdempotencyKey = Key };
        FindReturns(new IdempotencyKeyRecord(Key, HashOf(command with { CallbackUrl = "https://hooks.example.com/other" }), 7));

        Func<Task> act = async () => await Handler().Handle(command, CancellationToken.None);

        Assert.That(
            act,
            Throws.TypeOf<IdempotencyKeyMismatchException>().With.Message.EqualTo("Idempotency-Key 'order-1001' was already used with a different request body"));
        _jobs.Verify(r => r.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task Handle_WhenAConcurrentSubmitStoresTheKeyFirst_ReplaysTheWinnersJob()
    {
        var command = Commands.Valid() with { IdempotencyKey = Key };
        _jobs.SetupSequence(r => r.FindIdempotencyKeyAsync(IdempotencyScope.Shared, Key, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IdempotencyKeyRecord?)null)
            .ReturnsAsync(new IdempotencyKeyRecord(Key, HashOf(command), 9));
        _jobs.Setup(r => r.SaveChangesAsync(It.IsAny<CancellationToken>())).ThrowsAsync(new IdempotencyKeyTakenException("taken"));

        var result = await Handler().Handle(command, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new SubmitJobResult(9, Replayed: true)));
        _workSignal.Verify(s => s.NotifyWorkAvailable(), Times.Never);
    }

    [Test]
    public void Handle_WhenAConcurrentSubmitWithAnotherBodyStoresTheKeyFirst_ThrowsIdempotencyKeyMismatch()
    {
        var command = Commands.Valid() with { IdempotencyKey = Key };
        _jobs.SetupSequence(r => r.FindIdempotencyKeyAsync(IdempotencyScope.Shared, Key, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IdempotencyKeyRecord?)null)
            .ReturnsAsync(new IdempotencyKeyRecord(Key, new string('0', 64), 9));
        _jobs.Setup(r => r.SaveChangesAsync(It.IsAny<CancellationToken>())).ThrowsAsync(new IdempotencyKeyTakenException("taken"));

        Func<Task> act = async () => await Handler().Handle(command, CancellationToken.None);

        Assert.That(act, Throws.TypeOf<IdempotencyKeyMismatchException>());
    }

    [Test]
    public void Handle_WhenTheWinnersKeyIsGoneAfterAConflict_RethrowsIdempotencyKeyTaken()
    {
        _jobs.Setup(r => r.SaveChangesAsync(It.IsAny<CancellationToken>())).ThrowsAsync(new IdempotencyKeyTakenException("taken"));

        Func<Task> act = async () => await Handler().Handle(Commands.Valid() with { IdempotencyKey = Key }, CancellationToken.None);

        Assert.That(act, Throws.TypeOf<IdempotencyKeyTakenException>());
    }

    [Test]
    public async Task Handle_WhenTheCallerHasAScope_LooksTheKeyUpAndStoresItInThatScopeOnly()
    {
        var command = Commands.Valid() with { IdempotencyKey = Key, IdempotencyScope = ClientA };
        FindReturns(new IdempotencyKeyRecord(Key, "another client's request", 7), scope: ClientB);

        var result = await Handler().Handle(command, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new SubmitJobResult(42, Replayed: false)), "another client's use of the key is no conflict");
        Assert.That(_addedKey, Is.EqualTo(new NewIdempotencyKey(ClientA, Key, HashOf(command), Now, Now.AddHours(24))));
        _jobs.Verify(r => r.FindIdempotencyKeyAsync(ClientA, Key, Now, It.IsAny<CancellationToken>()), Times.Once);
        _jobs.Verify(r => r.FindIdempotencyKeyAsync(ClientB, It.IsAny<string>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task Handle_WhenTheCallerUsedTheKeyBeforeInItsScope_ReplaysItsJob()
    {
        var command = Commands.Valid() with { IdempotencyKey = Key, IdempotencyScope = ClientA };
        FindReturns(new IdempotencyKeyRecord(Key, HashOf(command), 7), scope: ClientA);

        var result = await Handler().Handle(command, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new SubmitJobResult(7, Replayed: true)));
    }

    [Test]
    public async Task Handle_WhenNoKeyIsGiven_NeitherLooksUpNorStoresAKey()
    {
        var result = await Handler().Handle(Commands.Valid(), CancellationToken.None);

        Assert.That(result, Is.EqualTo(new SubmitJobResult(42)));
        _jobs.Verify(r => r.Add(It.IsAny<Job>()), Times.Once);
        _jobs.Verify(r => r.Add(It.IsAny<Job>(), It.IsAny<NewIdempotencyKey>()), Times.Never);
        _jobs.Verify(r => r.FindIdempotencyKeyAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task Handle_WhenCallbackUrlIsGiven_SubmitsTheJobWithTheTrimmedUrl()
    {
        await Handler().Handle(Commands.Valid() with { CallbackUrl = "  https://hooks.example.com/kc?job=1 " }, CancellationToken.None);

        Assert.That(_added!.CallbackUrl, Is.EqualTo("https://hooks.example.com/kc?job=1"));
    }

    [Test]
    public async Task Handle_WhenRetryDiffersOnlyInWhiteSpaceAndOffset_StoresTheSameRequestHash()
    {
        var first = Commands.Submit(Commands.Visit(storeId: "S1", imageUrls: ["https://example.com/a.jpg"], visitTime: "2025-03-11T12:00:00Z")) with { IdempotencyKey = Key };
        var retry = Commands.Submit(Commands.Visit(storeId: " S1 ", imageUrls: [" https://example.com/a.jpg "], visitTime: "2025-03-11T17:30:00+05:30")) with { IdempotencyKey = Key };

        await Handler().Handle(first, CancellationToken.None);
        var firstHash = _addedKey!.RequestHash;
        SetUp();
        await Handler().Handle(retry, CancellationToken.None);

        Assert.That(_addedKey!.RequestHash, Is.EqualTo(firstHash));
    }

    private SubmitJobHandler Handler(SubmitLimits? limits = null) =>
        new(_jobs.Object, _storeMaster.Object, _workSignal.Object, new FakeTimeProvider(Now), limits ?? new SubmitLimits());

    private void FindReturns(IdempotencyKeyRecord record, string scope = IdempotencyScope.Shared) =>
        _jobs.Setup(r => r.FindIdempotencyKeyAsync(scope, record.Key, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).ReturnsAsync(record);

    /// <summary>The hash the handler must store for <paramref name="command"/>: its fingerprint after trimming and parsing.</summary>
    private static string HashOf(SubmitJobCommand command) =>
        SubmitRequestFingerprint.Compute(
            command.Visits!.Select(v => new NewVisit(v!.StoreId!.Trim(), DateTimeOffset.Parse(v.VisitTime!, System.Globalization.CultureInfo.InvariantCulture), v.ImageUrls!.Select(u => u!.Trim()).ToList())).ToList(),
            command.CallbackUrl?.Trim());
}
