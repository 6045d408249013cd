using System.Buffers.Binary;
using System.Text;
using KC.TestSupport;
using SkiaSharp;

namespace KC.Infrastructure.IntegrationTests.TestSupport;

/// <summary>
/// The generated phone photos stand in for real ones in the download tests and the benchmark, so
/// they are checked for what makes them stand in: the size Skia reads, the JPEG structure
/// (progressive, metadata ahead of the size marker) and files as large as a phone's.
/// </summary>
[TestFixture]
public sealed class TestPhotosTests
{
    private const int Sof0 = 0xC0;
    private const int Sof2 = 0xC2;
    private const int App1 = 0xE1;

    [TestCase(640, 480, false, 0)]
    [TestCase(33, 17, true, 0)]
    [TestCase(641, 479, false, 120_000)]
    [TestCase(640, 480, true, 120_000)]
    [TestCase(1, 1, true, TestPhotos.MinMetadataBytes)]
    public void Jpeg_WhenDecodedBySkia_ReportsExactlyTheRequestedSize(int width, int height, bool progressive, int metadataBytes)
    {
        var bytes = TestPhotos.Jpeg(width, height, progressive, metadataBytes);

        var (format, size) = Measure(bytes);

        Assert.That(format, Is.EqualTo(SKEncodedImageFormat.Jpeg));
        Assert.That(size, Is.EqualTo(new SKSizeI(width, height)));
    }

    [TestCase(640, 480)]
    [TestCase(33, 17)]
    public void Png_WhenDecodedBySkia_ReportsExactlyTheRequestedSize(int width, int height)
    {
        var bytes = TestPhotos.Png(width, height);

        var (format, size) = Measure(bytes);

        Assert.That(format, Is.EqualTo(SKEncodedImageFormat.Png));
        Assert.That(size, Is.EqualTo(new SKSizeI(width, height)));
    }

    [TestCase(640, 480)]
    [TestCase(33, 17)]
    public void Webp_WhenDecodedBySkia_ReportsExactlyTheRequestedSize(int width, int height)
    {
        var bytes = TestPhotos.Webp(width, height);

        var (format, size) = Measure(bytes);

        Assert.That(format, Is.EqualTo(SKEncodedImageFormat.Webp));
        Assert.That(size, Is.EqualTo(new SKSizeI(width, height)));
    }

    [Test]
    public void NoisePng_WhenEncoded_IsThreeBytesAPixelAndDecodesToItsSize()
    {
        var bytes = TestPhotos.NoisePng(500, 400);

        var (format, size) = Measure(bytes);

        Assert.That(format, Is.EqualTo(SKEncodedImageFormat.Png));
        Assert.That(size, Is.EqualTo(new SKSizeI(500, 400)));
        Assert.That(bytes, Has.Length.InRange(3 * 500 * 400, (3 * 500 * 400) + 4_096));
    }

    [Test]
    public void Jpeg_WhenProgressive_HasAnSof2MarkerAndNoSof0()
    {
        var bytes = TestPhotos.Jpeg(640, 480, progressive: true, metadataBytes: 20_000);

        var markers = JpegSegments(bytes).Select(s => s.Marker).ToList();

        Assert.That(markers, Does.Contain(Sof2));
        Assert.That(markers, Does.Not.Contain(Sof0));
    }

    [Test]
    public void Jpeg_WhenBaseline_HasAnSof0MarkerAndNoSof2()
    {
        var bytes = TestPhotos.Jpeg(640, 480);

        var markers = JpegSegments(bytes).Select(s => s.Marker).ToList();

        Assert.That(markers, Does.Contain(Sof0));
        Assert.That(markers, Does.Not.Contain(Sof2));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Jpeg_WhenMetadataBytesGiven_PutsTheFirstSofMarkerBehindThem(bool progressive)
    {
        var bytes = TestPhotos.Jpeg(640, 480, progressive, metadataBytes: 120_000);

        var firstSof = JpegSegments(bytes).First(s => s.Marker is Sof0 or Sof2);

        Assert.That(firstSof.Offset, Is.GreaterThan(120_000));
    }

    [TestCase(120_000)]
    [TestCase(600_000)]
    [TestCase(TestPhotos.MinMetadataBytes)]
    public void Jpeg_WhenMetadataBytesGiven_OpensWithThatManyBytesOfExifAndXmpSegments(int metadataBytes)
    {
        var bytes = TestPhotos.Jpeg(64, 48, metadataBytes: metadataBytes);

        var segments = JpegSegments(bytes);
        var leading = segments.TakeWhile(s => s.Marker == App1).ToList();
        var exif = Payload(bytes, leading[0]);

        Assert.That(segments[0].Offset, Is.EqualTo(2), "the first segment follows the SOI");
        Assert.That(leading.Sum(s => s.Length + 2), Is.EqualTo(metadataBytes));
        Assert.That(leading.Select(s => s.Length - 2), Has.All.LessThanOrEqualTo(65_533));
        Assert.That(exif[..6].ToArray(), Is.EqualTo("Exif\0\0"u8.ToArray()));
        Assert.That(exif[6..10].ToArray(), Is.EqualTo("MM\0*"u8.ToArray()));
        Assert.That(leading.Skip(1).Select(s => Signature(bytes, s)), Has.Some.EqualTo("http://ns.adobe.com/xap/1.0/"));
    }

    [Test]
    public void Jpeg_WhenMetadataOutgrowsOneXmpSegment_ContinuesItAsExtendedXmp()
    {
        var bytes = TestPhotos.Jpeg(64, 48, metadataBytes: 300_000);

        var signatures = JpegSegments(bytes).Where(s => s.Marker == App1).Select(s => Signature(bytes, s)).ToList();

        Assert.That(signatures, Has.Exactly(1).EqualTo("Exif"));
        Assert.That(signatures, Has.Exactly(1).EqualTo("http://ns.adobe.com/xap/1.0/"));
        Assert.That(signatures.Count(s => s == "http://ns.adobe.com/xmp/extension/"), Is.GreaterThanOrEqualTo(3));
    }

    [Test]
    public void Jpeg_WhenMetadataBytesBelowTheMinimum_Throws()
    {
        static void Act() => TestPhotos.Jpeg(64, 48, metadataBytes: TestPhotos.MinMetadataBytes - 1);

        Assert.That(Act, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("metadataBytes"));
    }

    [Test]
    public void Jpeg_WhenCalledTwiceWithTheSameArguments_ReturnsTheSameBytes()
    {
        var first = TestPhotos.Jpeg(320, 240, progressive: true, metadataBytes: 10_000, seed: 7);

        var second = TestPhotos.Jpeg(320, 240, progressive: true, metadataBytes: 10_000, seed: 7);

        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void Jpeg_WhenSeedsDiffer_ReturnsDifferentPhotos()
    {
        var first = TestPhotos.Jpeg(320, 240, seed: 1);

        var second = TestPhotos.Jpeg(320, 240, seed: 2);

        Assert.That(second, Is.Not.EqualTo(first));
    }

    // The phone sizes the benchmark serves (8 and 12 MP JPEGs of 2.5–3.5 and 3.5–5 MB): files
    // the size of real photos are what makes a download test or a benchmark run realistic.
    [TestCase(3264, 2448, false, 2.5, 3.5)]
    [TestCase(3264, 2448, true, 2.5, 3.5)]
    [TestCase(4032, 3024, false, 3.5, 5.0)]
    [TestCase(4032, 3024, true, 3.5, 5.0)]
    public void Jpeg_WhenPhoneSized_IsAsLargeAsAPhonePhoto(int width, int height, bool progressive, double minMb, double maxMb)
    {
        var bytes = TestPhotos.Jpeg(width, height, progressive);

        var (_, size) = Measure(bytes);

        Assert.That(bytes.Length / 1e6, Is.InRange(minMb, maxMb));
        Assert.That(size, Is.EqualTo(new SKSizeI(width, height)));
    }

    [TestCase(1600, 1200)]
    [TestCase(1440, 1080)]
    public void Png_WhenBenchmarkSized_IsOneToFiveMegabytes(int width, int height)
    {
        var bytes = TestPhotos.Png(width, height);

        Assert.That(bytes.Length / 1e6, Is.InRange(1.0, 5.0));
    }

    [TestCase(3264, 2448)]
    [TestCase(4032, 3024)]
    public void Webp_WhenBenchmarkSized_IsOneToFiveMegabytes(int width, int height)
    {
        var bytes = TestPhotos.Webp(width, height);

        Assert.That(bytes.Length / 1e6, Is.InRange(1.0, 5.0));
    }

    private static (SKEncodedImageFormat? Format, SKSizeI? Size) Measure(byte[] bytes)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        return codec is null ? (null, null) : (codec.EncodedFormat, new SKSizeI(codec.Info.Width, codec.Info.Height));
    }

    /// <summary>A marker segment: where its marker starts and its length field (which counts itself).</summary>
    private readonly record struct Segment(int Marker, int Offset, int Length);

    /// <summary>
    /// Every marker segment from the SOI to the EOI. Entropy-coded data after a scan header is
    /// skipped to the next marker: there a 0xFF is followed by 0x00 (stuffing) or a restart marker.
    /// </summary>
    private static List<Segment> JpegSegments(byte[] jpeg)
    {
        Assert.That(jpeg[..2], Is.EqualTo(new byte[] { 0xFF, 0xD8 }), "no SOI");
        var segments = new List<Segment>();
        var i = 2;
        while (i + 1 < jpeg.Length)
        {
            Assert.That(jpeg[i], Is.EqualTo(0xFF), $"no marker at offset {i}");
            var marker = jpeg[i + 1];
            if (marker == 0xD9)
            {
                return segments;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(i + 2));
            segments.Add(new Segment(marker, i, length));
            i += 2 + length;
            if (marker == 0xDA)
            {
                while (i + 1 < jpeg.Length && !(jpeg[i] == 0xFF && jpeg[i + 1] != 0x00 && jpeg[i + 1] is < 0xD0 or > 0xD7))
                {
                    i++;
                }
            }
        }

        Assert.Fail("no EOI");
        return segments;
    }

    private static ReadOnlySpan<byte> Payload(byte[] jpeg, Segment segment) => jpeg.AsSpan(segment.Offset + 4, segment.Length - 2);

    private static string Signature(byte[] jpeg, Segment segment)
    {
        var payload = Payload(jpeg, segment);
        var end = payload.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? payload : payload[..end]);
    }
}
