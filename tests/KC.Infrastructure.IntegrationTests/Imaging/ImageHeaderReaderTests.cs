using KC.Infrastructure.Imaging;
using KC.TestSupport;

namespace KC.Infrastructure.IntegrationTests.Imaging;

/// <summary>
/// Header reads from many threads at once, the way a node with hundreds of downloads in flight makes
/// them, over every cut of the short JPEG headers <see cref="JpegMetadataFilter"/> keeps: each read
/// answers as it does alone. (Skia itself is entered one call at a time; why is on
/// <see cref="ImageHeaderReader"/>.)
/// </summary>
[TestFixture]
public sealed class ImageHeaderReaderTests
{
    private const int Threads = 16;
    private const int Rounds = 60;

    [Test]
    public void Read_WhenManyThreadsReadJpegHeadersAtOnce_AnswersAsOneThreadDoes()
    {
        var headers = new[]
        {
            KeptHeader(TestPhotos.Jpeg(640, 480, progressive: true, metadataBytes: 120_000, seed: 1)),
            KeptHeader(TestPhotos.Jpeg(480, 640, seed: 2)),
            TestImages.Png(321, 123),
        };
        var prefixes = headers.SelectMany(h => Enumerable.Range(1, h.Length).Select(n => h[..n])).ToArray();
        var expected = prefixes.Select(p => ImageHeaderReader.Read(p, complete: false)).ToArray();
        var mismatches = 0;

        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                // Each thread walks the prefixes from its own starting point, so neighbours differ.
                for (var i = 0; i < prefixes.Length; i++)
                {
                    var at = (i + (t * prefixes.Length / Threads)) % prefixes.Length;
                    if (ImageHeaderReader.Read(prefixes[at], complete: false) != expected[at])
                    {
                        Interlocked.Increment(ref mismatches);
                    }

                    // A node allocates as it downloads; the collections that follow are part of the load.
                    GC.KeepAlive(new byte[(i % 64) * 256]);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Multiple(() =>
        {
            Assert.That(expected.Count(r => r.IsMeasured), Is.GreaterThanOrEqualTo(headers.Length), "every whole header is measured");
            Assert.That(expected.Count(r => r.NeedsMore), Is.Positive, "the short cuts ask for more");
            Assert.That(mismatches, Is.Zero);
        });
    }

    /// <summary>The bytes of <paramref name="jpeg"/> a download keeps while its size is unknown.</summary>
    private static byte[] KeptHeader(byte[] jpeg)
    {
        var kept = new List<byte>();
        new JpegMetadataFilter().Filter(jpeg, bytes => kept.AddRange(bytes));
        return [.. kept];
    }
}
