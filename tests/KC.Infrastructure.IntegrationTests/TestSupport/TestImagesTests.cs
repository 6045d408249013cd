using KC.TestSupport;
using SkiaSharp;

namespace KC.Infrastructure.IntegrationTests.TestSupport;

/// <summary>
/// The generated images are the ground truth for every imaging test, so they are checked against
/// the decoder the service itself uses: header size and a full pixel decode.
/// </summary>
[TestFixture]
public sealed class TestImagesTests
{
    private static readonly TestImageFormat[] Formats = Enum.GetValues<TestImageFormat>();

    // Odd widths exercise BMP row padding; 300x1 and 129x2 cross the GIF clear-code interval.
    private static readonly (int Width, int Height)[] Sizes = [(640, 480), (33, 17), (17, 33), (1, 1), (300, 1), (129, 2), (1, 300)];

    private static IEnumerable<TestCaseData> FormatsAndSizes() =>
        from format in Formats
        from size in Sizes
        select new TestCaseData(format, size.Width, size.Height).SetArgDisplayNames(format.ToString(), $"{size.Width}x{size.Height}");

    [TestCaseSource(nameof(FormatsAndSizes))]
    public void Create_WhenDecodedBySkia_ReportsExactlyTheRequestedSize(TestImageFormat format, int width, int height)
    {
        var bytes = TestImages.Create(format, width, height);

        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);

        Assert.That(codec, Is.Not.Null, $"{format} {width}x{height} was not recognised");
        Assert.That((codec!.Info.Width, codec.Info.Height), Is.EqualTo((width, height)));
        Assert.That(codec.EncodedFormat, Is.EqualTo(SkiaFormat(format)));
    }

    [TestCaseSource(nameof(FormatsAndSizes))]
    public void Create_WhenFullyDecoded_DecodesEveryPixel(TestImageFormat format, int width, int height)
    {
        var bytes = TestImages.Create(format, width, height);

        using var bitmap = DecodePixels(bytes, out var result);

        Assert.That(result, Is.EqualTo(SKCodecResult.Success));
        Assert.That((bitmap.Width, bitmap.Height), Is.EqualTo((width, height)));
    }

    [TestCase(640, 480)]
    [TestCase(33, 17)]
    [TestCase(300, 3)]
    public void Gif_WhenFullyDecoded_HasTheSamePixelsAsTheBmpOfThatSize(int width, int height)
    {
        // Both hand-written encoders draw the same palette pattern, so a mistake in the GIF's LZW
        // stream or the BMP's row order shows up as a difference between the two.
        var gif = TestImages.Gif(width, height);
        var bmp = TestImages.Bmp(width, height);

        using var gifPixels = DecodePixels(gif, out _);
        using var bmpPixels = DecodePixels(bmp, out _);

        Assert.That(gifPixels.Bytes, Is.EqualTo(bmpPixels.Bytes));
        Assert.That(gifPixels.GetPixel(width - 1, 0), Is.Not.EqualTo(gifPixels.GetPixel(0, 0)));
    }

    [TestCaseSource(nameof(Formats))]
    public void TruncatedHeader_WhenDecodedBySkia_IsNotRecognised(TestImageFormat format)
    {
        var bytes = TestImages.TruncatedHeader(format);

        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);

        Assert.That(codec, Is.Null);
        Assert.That(bytes, Has.Length.EqualTo(10));
    }

    [Test]
    public void TruncatedHeader_WhenPng_StartsWithThePngSignature()
    {
        var bytes = TestImages.TruncatedHeader(TestImageFormat.Png);

        Assert.That(bytes.Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
    }

    [Test]
    public void NotAnImage_WhenDecodedBySkia_IsNotRecognised()
    {
        var bytes = TestImages.NotAnImage();

        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);

        Assert.That(codec, Is.Null);
    }

    [TestCaseSource(nameof(Formats))]
    public void Create_WhenSizeIsZero_Throws(TestImageFormat format)
    {
        void Act() => TestImages.Create(format, 0, 10);

        Assert.That(Act, Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [TestCase("jpg", TestImageFormat.Jpeg)]
    [TestCase("JPEG", TestImageFormat.Jpeg)]
    [TestCase("webp", TestImageFormat.Webp)]
    [TestCase("Bmp", TestImageFormat.Bmp)]
    public void TryParseExtension_WhenKnownExtension_ReturnsItsFormat(string extension, TestImageFormat expected)
    {
        var parsed = TestImages.TryParseExtension(extension, out var format);

        Assert.That(parsed, Is.True);
        Assert.That(format, Is.EqualTo(expected));
    }

    private static SKBitmap DecodePixels(byte[] bytes, out SKCodecResult result)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw new AssertionException("not recognised by Skia");
        var bitmap = new SKBitmap(codec.Info.WithColorType(SKColorType.Rgba8888).WithAlphaType(SKAlphaType.Unpremul));
        result = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
        return bitmap;
    }

    private static SKEncodedImageFormat SkiaFormat(TestImageFormat format) => format switch
    {
        TestImageFormat.Jpeg => SKEncodedImageFormat.Jpeg,
        TestImageFormat.Png => SKEncodedImageFormat.Png,
        TestImageFormat.Webp => SKEncodedImageFormat.Webp,
        TestImageFormat.Gif => SKEncodedImageFormat.Gif,
        TestImageFormat.Bmp => SKEncodedImageFormat.Bmp,
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}
