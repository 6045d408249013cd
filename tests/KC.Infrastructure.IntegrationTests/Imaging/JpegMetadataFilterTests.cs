using KC.Domain.Jobs;
using KC.Infrastructure.Imaging;
using KC.TestSupport;

namespace KC.Infrastructure.IntegrationTests.Imaging;

/// <summary>What a download keeps of a JPEG's header while its size is unknown: the codec's part, not the camera's metadata.</summary>
[TestFixture]
public sealed class JpegMetadataFilterTests
{
    [Test]
    public void Filter_WhenAPhoneJpegStreamsPast_KeepsAFewKBThatStillMeasureToItsSize([Values(1, 7, 64 * 1024)] int pieceBytes)
    {
        var photo = TestPhotos.Jpeg(1024, 768, progressive: true, metadataBytes: 300_000);

        var (kept, complete) = Run(photo, pieceBytes);

        Assert.That(kept, Has.Length.LessThan(4 * 1024));
        Assert.That(complete, Is.True);
        Assert.That(kept.AsSpan().IndexOf("Exif\0\0"u8), Is.EqualTo(-1), "the EXIF segment is dropped");
        Assert.That(ImageHeaderReader.Read(kept, complete: true).Size, Is.EqualTo(new ImageSize(1024, 768)));
    }

    [TestCase(TestImageFormat.Png)]
    [TestCase(TestImageFormat.Webp)]
    [TestCase(TestImageFormat.Gif)]
    [TestCase(TestImageFormat.Bmp)]
    public void Filter_WhenTheBodyIsNotAJpeg_KeepsEveryByte(TestImageFormat format)
    {
        var image = TestImages.Create(format, 40, 30);

        var (kept, complete) = Run(image, 7);

        Assert.That(kept, Is.EqualTo(image));
        Assert.That(complete, Is.False);
    }

    [Test]
    public void Filter_WhenSegmentsStopMakingSense_KeepsTheRestForTheCodecToJudge()
    {
        byte[] body = [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x04, 0xAA, 0xBB, 0x12, 0x34, 0x56];

        var (kept, _) = Run(body, 1);

        Assert.That(kept, Is.EqualTo(new byte[] { 0xFF, 0xD8, 0x12, 0x34, 0x56 }));
    }

    private static (byte[] Kept, bool Complete) Run(byte[] body, int pieceBytes)
    {
        var filter = new JpegMetadataFilter();
        var kept = new List<byte>();
        for (var i = 0; i < body.Length; i += pieceBytes)
        {
            filter.Filter(body.AsSpan(i, Math.Min(pieceBytes, body.Length - i)), bytes => kept.AddRange(bytes));
        }

        return ([.. kept], filter.HeaderComplete);
    }
}
