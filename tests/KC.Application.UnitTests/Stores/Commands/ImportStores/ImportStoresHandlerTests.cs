using System.Text;
using FluentValidation;
using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Stores.Commands.ImportStores;
using KC.Application.UnitTests.Common.Paging;
using Moq;

namespace KC.Application.UnitTests.Stores.Commands.ImportStores;

[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class ImportStoresHandlerTests
{
    private const string Csv = "AreaCode,StoreName,StoreID\n710006,BHARAT STORE,S00339218\n";

    private static readonly StoreImportLimits Limits = new() { MaxStoreImportBytes = 100 };

    private readonly Mock<IStoreImporter> _importer = new(MockBehavior.Strict);

    [Test]
    public async Task Handle_WhenUploadIsWithinTheLimit_ImportsEveryByteOfItAndReturnsTheSummary()
    {
        var summary = new StoreImportSummary(1, 0, 0, [new RejectedRow(3, "blank store_name")], 1);
        string? imported = null;
        _importer
            .Setup(i => i.ImportAsync(It.IsAny<Stream>(), It.IsAny<CancellationToken>()))
            .Callback<Stream, CancellationToken>((stream, _) => imported = new StreamReader(stream).ReadToEnd())
            .ReturnsAsync(summary);
        using var upload = new TrickleStream(Encoding.UTF8.GetBytes(Csv));

        var result = await Handler().Handle(new ImportStoresCommand(upload), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.SameAs(summary));
            Assert.That(imported, Is.EqualTo(Csv));
        });
    }

    [Test]
    public async Task Handle_WhenUploadIsWithinTheLimit_ImportsFromASeekableFileCopyThatIsRemovedAfterwards()
    {
        string? copyPath = null;
        var copyCanSeek = false;
        _importer
            .Setup(i => i.ImportAsync(It.IsAny<Stream>(), It.IsAny<CancellationToken>()))
            .Callback<Stream, CancellationToken>((stream, _) => (copyPath, copyCanSeek) = ((stream as FileStream)?.Name, stream.CanSeek))
            .ReturnsAsync(new StoreImportSummary(0, 0, 0, [], 0));
        using var upload = new TrickleStream(Encoding.UTF8.GetBytes(Csv));

        await Handler().Handle(new ImportStoresCommand(upload), CancellationToken.None);

        Assert.That(copyPath, Is.Not.Null, "the upload is staged on disk, not in memory");
        Assert.That(copyCanSeek, Is.True, "a retried import reads it again");
        Assert.That(File.Exists(copyPath), Is.False);
    }

    [Test]
    public void Handle_WhenUploadPassesTheLimit_ThrowsValidationNamingTheLimitWithoutImporting()
    {
        using var upload = new TrickleStream(new byte[101]);

        Func<Task> act = async () => await Handler().Handle(new ImportStoresCommand(upload), CancellationToken.None);

        Assert.That(act, Throws.TypeOf<ValidationException>().With.Property(nameof(ValidationException.Errors)).Matches<IEnumerable<FluentValidation.Results.ValidationFailure>>(
            errors => errors.Single().PropertyName == "file" && errors.Single().ErrorMessage == "exceeds the limit of 100 bytes (Api:MaxStoreImportBytes)"));
        _importer.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Handle_WhenUploadIsExactlyTheLimit_ImportsIt()
    {
        _importer.Setup(i => i.ImportAsync(It.IsAny<Stream>(), It.IsAny<CancellationToken>())).ReturnsAsync(new StoreImportSummary(0, 0, 0, [], 0));
        using var upload = new TrickleStream(new byte[100]);

        var result = await Handler().Handle(new ImportStoresCommand(upload), CancellationToken.None);

        Assert.That(result.Inserted, Is.Zero);
    }

    [Test]
    public void Handle_WhenHeaderIsUnusable_ThrowsValidationNamingTheFile()
    {
        _importer
            .Setup(i => i.ImportAsync(It.IsAny<Stream>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new StoreMasterFormatException("The store master is empty: no header row was found."));
        using var upload = new MemoryStream();

        Func<Task> act = async () => await Handler().Handle(new ImportStoresCommand(upload), CancellationToken.None);

        Assert.That(act, Throws.TypeOf<ValidationException>().With.Property(nameof(ValidationException.Errors)).Matches<IEnumerable<FluentValidation.Results.ValidationFailure>>(
            errors => errors.Single().PropertyName == "file" && errors.Single().ErrorMessage == "The store master is empty: no header row was found."));
    }

    [Test]
    public void Handle_WhenUploadBreaksOff_ThrowsValidationSayingTheFileCouldNotBeRead()
    {
        using var upload = new BrokenStream();

        Func<Task> act = async () => await Handler().Handle(new ImportStoresCommand(upload), CancellationToken.None);

        Assert.That(act, Throws.TypeOf<ValidationException>().With.Property(nameof(ValidationException.Errors)).Matches<IEnumerable<FluentValidation.Results.ValidationFailure>>(
            errors => errors.Single().PropertyName == "file" && errors.Single().ErrorMessage == "could not be read: Unexpected end of Stream."));
        _importer.VerifyNoOtherCalls();
    }

    [Test]
    public void Validate_WhenNoFileWasSent_NamesFile()
    {
        var errors = new ImportStoresValidator(Limits).Errors(new ImportStoresCommand(null));

        Assert.That(errors, Is.EqualTo(new[] { ("file", "is required: send the CSV as the multipart/form-data field file, or as a text/csv body") }));
    }

    [TestCase(100L, false)]
    [TestCase(101L, true)]
    public void Validate_WhenDeclaredLengthIsGiven_RefusesOnlyMoreThanTheLimit(long length, bool refused)
    {
        using var upload = new MemoryStream();

        var errors = new ImportStoresValidator(Limits).Errors(new ImportStoresCommand(upload, length));

        Assert.That(errors, refused
            ? Is.EqualTo(new[] { ("file", "is 101 bytes, over the limit of 100 bytes (Api:MaxStoreImportBytes)") })
            : Is.Empty);
    }

    private ImportStoresHandler Handler() => new(_importer.Object, Limits);

    /// <summary>Hands out at most seven bytes per read, as a network stream may.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 7)], cancellationToken);
    }

    private sealed class BrokenStream() : MemoryStream([1, 2, 3])
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<int>(new IOException("Unexpected end of Stream."));
    }
}
