using System.Globalization;
using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.Infrastructure.Imaging;
using KC.TestSupport;
using SkiaSharp;

namespace KC.Infrastructure.IntegrationTests.Imaging;

/// <summary>
/// The streamed body read with Skia's real codec: sizes found from bodies that arrive a byte, seven
/// bytes or 64 KiB at a time, and every way a body fails, without the body ever being held whole.
/// </summary>
[TestFixture]
public sealed class ImageBodyReaderTests
{
    private const long Limit = 26_214_400;
    private const int HeaderBound = 4 * 1024 * 1024;

    [Test]
    public async Task ReadAsync_WhenBodyArrivesInPieces_MeasuresEveryFormat(
        [Values] TestImageFormat format,
        [Values(1, 7, 64 * 1024)] int pieceBytes)
    {
        var body = TestImages.Create(format, 321, 123);
        var reader = new ImageBodyReader(Limit, HeaderBound);

        var (size, bytes) = await reader.ReadAsync(new PieceStream(body, pieceBytes), CancellationToken.None);

        Assert.That(size, Is.EqualTo(new ImageSize(321, 123)));
        Assert.That(bytes, Is.EqualTo(body.Length));
    }

    [Test]
    public async Task ReadAsync_WhenAProgressiveJpegHasItsSizeBehind120KBOfExifAndXmp_MeasuresIt(
        [Values(1, 7, 64 * 1024)] int pieceBytes)
    {
        var body = TestPhotos.Jpeg(640, 480, progressive: true, metadataBytes: 120_000);
        var reader = new ImageBodyReader(Limit, HeaderBound);

        var (size, bytes) = await reader.ReadAsync(new PieceStream(body, pieceBytes), CancellationToken.None);

        Assert.That(size, Is.EqualTo(new ImageSize(640, 480)));
        Assert.That(bytes, Is.EqualTo(body.Length));
    }

    [Test]
    public async Task ReadAsync_WhenNoSizeIsWithinTheHeaderBound_FailsNamingTheSettingWithoutReadingOn()
    {
        var body = TestPhotos.Jpeg(640, 480, metadataBytes: 200_000);
        const int bound = 64 * 1024;
        var reader = new ImageBodyReader(Limit, bound);
        var stream = new PieceStream(body, 7);

        var error = await DownloadStack.CatchAsync(() => reader.ReadAsync(stream, CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>()
            .With.Message.EqualTo("no image size within the first 65536 bytes (Processing:MaxHeaderBytes)"));
        Assert.That(stream.BytesRead, Is.EqualTo(bound));
    }

    [Test]
    public async Task ReadAsync_WhenWebpIsLargerThanTheHeaderBound_MeasuresItFromTheChunkHeader()
    {
        // Skia names a WebP's size only once its whole first frame is there; the RIFF header has it sooner.
        var body = TestImages.Webp(900, 700);
        var reader = new ImageBodyReader(Limit, ImageHeaderReader.MinimumPrefixBytes);

        var (size, bytes) = await reader.ReadAsync(new PieceStream(body, 7), CancellationToken.None);

        Assert.That(body, Has.Length.GreaterThan(ImageHeaderReader.MinimumPrefixBytes), "the file must outgrow the header bound");
        Assert.That(size, Is.EqualTo(new ImageSize(900, 700)));
        Assert.That(bytes, Is.EqualTo(body.Length));
    }

    [TestCase(SKWebpEncoderCompression.Lossless, false, TestName = "ReadAsync_WhenWebpIsLossless_MeasuresItFromTheVp8lHeader")]
    [TestCase(SKWebpEncoderCompression.Lossy, true, TestName = "ReadAsync_WhenWebpHasAlpha_MeasuresItFromTheVp8xHeader")]
    public async Task ReadAsync_WhenWebpIsOfAnotherKind_MeasuresItFromItsChunkHeader(SKWebpEncoderCompression compression, bool alpha)
    {
        var body = EncodeWebp(333, 222, compression, alpha);
        var reader = new ImageBodyReader(Limit, HeaderBound);

        var (size, bytes) = await reader.ReadAsync(new PieceStream(body, 1), CancellationToken.None);

        Assert.That(size, Is.EqualTo(new ImageSize(333, 222)));
        Assert.That(bytes, Is.EqualTo(body.Length));
    }

    [Test]
    public async Task ReadAsync_WhenWebpChunkIsUnknown_FailsAsNotDecodable()
    {
        var body = TestImages.Webp(40, 30);
        "VP9 "u8.CopyTo(body.AsSpan(12));
        var reader = new ImageBodyReader(Limit, HeaderBound);

        var error = await DownloadStack.CatchAsync(() => reader.ReadAsync(new PieceStream(body, 7), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>().With.Message.EqualTo("not a decodable image"));
    }

    [Test]
    public async Task ReadAsync_WhenBodyIsLargerThanTheHeaderBound_StillCountsItToTheEnd()
    {
        var body = TestImages.Bmp(700, 500);
        var reader = new ImageBodyReader(Limit, ImageHeaderReader.MinimumPrefixBytes);
        var stream = new PieceStream(body, 64 * 1024);

        var (size, bytes) = await reader.ReadAsync(stream, CancellationToken.None);

        Assert.That(size, Is.EqualTo(new ImageSize(700, 500)));
        Assert.That(bytes, Is.EqualTo(body.Length));
        Assert.That(stream.BytesRead, Is.EqualTo(body.Length));
    }

    [Test]
    public async Task ReadAsync_WhenBodyCrossesTheLimit_StopsReadingAtTheFirstByteOver(
        [Values(1, 7, 64 * 1024)] int pieceBytes)
    {
        var body = TestImages.Bmp(300, 300);
        const int limit = 100_000;
        var reader = new ImageBodyReader(limit, HeaderBound);
        var stream = new PieceStream(body, pieceBytes);

        var error = await DownloadStack.CatchAsync(() => reader.ReadAsync(stream, CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>());
        Assert.That(error!.Message, Is.EqualTo(string.Create(
            CultureInfo.InvariantCulture,
            $"the body exceeds the limit of {limit} bytes (Processing:MaxImageBytes)")));
        Assert.That(stream.BytesRead, Is.EqualTo(limit + 1), "nothing is read past the byte that crossed the limit");
    }

    [Test]
    public async Task ReadAsync_WhenBodyIsNotAnImage_FailsWithoutReadingTheRest()
    {
        byte[] body = [.. TestImages.NotAnImage(), .. new byte[500_000]];
        var reader = new ImageBodyReader(Limit, HeaderBound);
        var stream = new PieceStream(body, 7);

        var error = await DownloadStack.CatchAsync(() => reader.ReadAsync(stream, CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>().With.Message.EqualTo("not a decodable image"));
        Assert.That(stream.BytesRead, Is.LessThan(64 * 1024));
    }

    [TestCase(TestImageFormat.Png)]
    [TestCase(TestImageFormat.Jpeg)]
    [TestCase(TestImageFormat.Webp)]
    [TestCase(TestImageFormat.Gif)]
    [TestCase(TestImageFormat.Bmp)]
    public async Task ReadAsync_WhenBodyEndsInsideTheHeader_FailsAsNotDecodable(TestImageFormat format)
    {
        var reader = new ImageBodyReader(Limit, HeaderBound);

        var error = await DownloadStack.CatchAsync(() => reader.ReadAsync(new PieceStream(TestImages.TruncatedHeader(format), 1), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>().With.Message.EqualTo("not a decodable image"));
    }

    [Test]
    public async Task ReadAsync_WhenBodyIsEmpty_FailsNamingTheEmptyBody()
    {
        var reader = new ImageBodyReader(Limit, HeaderBound);

        var error = await DownloadStack.CatchAsync(() => reader.ReadAsync(new PieceStream([], 1), CancellationToken.None));

        Assert.That(error, Is.TypeOf<ImageFailureException>().With.Message.EqualTo("not a decodable image (empty body)"));
    }

    private static byte[] EncodeWebp(int width, int height, SKWebpEncoderCompression compression, bool alpha)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, alpha ? SKAlphaType.Unpremul : SKAlphaType.Opaque));
        bitmap.Erase(alpha ? new SKColor(200, 40, 40, 128) : new SKColor(200, 40, 40));
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(new SKWebpEncoderOptions(compression, 80)) ?? throw new InvalidOperationException("Skia could not encode the WebP");
        var body = data.ToArray();
        Assert.That(System.Text.Encoding.ASCII.GetString(body, 12, 4), Is.EqualTo(alpha ? "VP8X" : "VP8L"), "the encoder wrote another kind of WebP than the test is about");
        return body;
    }
}
