using System.Diagnostics;
using System.Globalization;
using KC.TestSupport;

namespace KC.Bench;

/// <summary>
/// What field staff upload: 8 and 12 MP phone JPEGs of 2–5 MB, some progressive, some with
/// hundreds of KB of EXIF and XMP ahead of the size marker, and a few PNG and WebP photos; plus
/// files just under the service's image limit. Generated once, then served from memory.
/// </summary>
internal sealed class PhonePhotos
{
    /// <summary>The service's default <c>Processing:MaxImageBytes</c> (25 MiB): the near-limit files must stay under it.</summary>
    public const long MaxImageBytes = 26_214_400;

    private static readonly Photo[] FullCatalog =
    [
        new(TestImageFormat.Jpeg, 3264, 2448, Seed: 1),
        new(TestImageFormat.Jpeg, 3264, 2448, Seed: 2, Progressive: true),
        new(TestImageFormat.Jpeg, 2448, 3264, Seed: 3, MetadataBytes: 250_000),
        new(TestImageFormat.Jpeg, 3264, 2448, Seed: 4, Progressive: true, MetadataBytes: 400_000),
        new(TestImageFormat.Jpeg, 4032, 3024, Seed: 5),
        new(TestImageFormat.Jpeg, 4032, 3024, Seed: 6, Progressive: true),
        new(TestImageFormat.Jpeg, 4032, 3024, Seed: 7, MetadataBytes: 300_000),
        new(TestImageFormat.Jpeg, 3024, 4032, Seed: 8, Progressive: true, MetadataBytes: 550_000),
        new(TestImageFormat.Png, 1600, 1200, Seed: 9),
        new(TestImageFormat.Png, 1080, 1440, Seed: 10),
        new(TestImageFormat.Webp, 3264, 2448, Seed: 11),
        new(TestImageFormat.Webp, 4032, 3024, Seed: 12),
    ];

    /// <summary>
    /// One of each kind (8 MP, 12 MP, progressive, large metadata, PNG, WebP), for <c>--quick</c>;
    /// the progressive one at 8 MP, since LibJpeg.NET takes longest over those.
    /// </summary>
    private static readonly Photo[] QuickCatalog = [FullCatalog[3], FullCatalog[6], FullCatalog[8], FullCatalog[10]];

    // Noise is incompressible: 3 bytes a pixel, so 3456 × 2464 makes a PNG of about 25.6 MB (24.4 MiB).
    private static readonly Photo[] FullNearLimit =
    [
        new(TestImageFormat.Png, 3456, 2464, Seed: 21, Noise: true),
        new(TestImageFormat.Png, 2464, 3456, Seed: 22, Noise: true),
    ];

    private static readonly Photo[] QuickNearLimit = [FullNearLimit[0]];

    private readonly IReadOnlyList<Photo> _photos;

    private PhonePhotos(ImageCatalog catalog, IReadOnlyList<Photo> photos, ImageCatalog nearLimit, TimeSpan generationTime)
    {
        Catalog = catalog;
        _photos = photos;
        NearLimit = nearLimit;
        GenerationTime = generationTime;
    }

    /// <summary>The phone photos, each job's images taken round-robin from them.</summary>
    public ImageCatalog Catalog { get; }

    /// <summary>Noise PNGs just under <see cref="MaxImageBytes"/>.</summary>
    public ImageCatalog NearLimit { get; }

    /// <summary>Encoding every file, wall clock (on every core).</summary>
    public TimeSpan GenerationTime { get; }

    /// <summary>Mean body of the phone photos, in bytes.</summary>
    public double MeanPhotoBytes => Catalog.BodyBytes.Average();

    public static PhonePhotos Generate(TestImageServer server, bool quick)
    {
        var photos = quick ? QuickCatalog : FullCatalog;
        var nearLimit = quick ? QuickNearLimit : FullNearLimit;
        var started = Stopwatch.GetTimestamp();

        // Every file is independent and an 8 MP progressive JPEG takes seconds, so use every core.
        var all = photos.Concat(nearLimit).ToArray();
        var files = new ServedFile[all.Length];
        Parallel.For(0, all.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => files[i] = all[i].Encode());
        var elapsed = Stopwatch.GetElapsedTime(started);

        if (files.Skip(photos.Length).FirstOrDefault(f => f.Body.Length > MaxImageBytes) is { } tooLarge)
        {
            throw new BenchFailureException($"{tooLarge.Name} has {tooLarge.Body.Length:#,0} bytes, over the service's limit of {MaxImageBytes:#,0}");
        }

        return new PhonePhotos(
            ImageCatalog.Files(server, files.Take(photos.Length)),
            photos,
            ImageCatalog.Files(server, files.Skip(photos.Length)),
            elapsed);
    }

    /// <summary>What the table's header says about the photos.</summary>
    public string Describe()
    {
        var jpegs = _photos.Where(p => p.Format == TestImageFormat.Jpeg).ToList();
        var bodies = Catalog.BodyBytes;
        return string.Create(CultureInfo.InvariantCulture,
            $"{_photos.Count} phone photos, {bodies.Min() / 1e6:0.00}–{bodies.Max() / 1e6:0.00} MB (mean {MeanPhotoBytes / 1e6:0.00} MB): "
            + $"{jpegs.Count} JPEGs ({jpegs.Count(p => p.Megapixels < 10)} of 8 MP, {jpegs.Count(p => p.Megapixels >= 10)} of 12 MP; "
            + $"{jpegs.Count(p => p.Progressive)} progressive; {jpegs.Count(p => p.MetadataBytes > 0)} with {jpegs.Where(p => p.MetadataBytes > 0).Min(p => p.MetadataBytes) / 1_000:0}–{jpegs.Max(p => p.MetadataBytes) / 1_000:0} KB of EXIF/XMP before the size marker), "
            + $"{_photos.Count(p => p.Format == TestImageFormat.Png)} PNG, {_photos.Count(p => p.Format == TestImageFormat.Webp)} WebP; "
            + $"{NearLimit.DistinctImages} noise PNG(s) of {NearLimit.BodyBytes.Max() / 1e6:0.0} MB near the 25 MiB limit; generated in {GenerationTime.TotalSeconds:0.0} s");
    }

    private sealed record Photo(TestImageFormat Format, int Width, int Height, int Seed, bool Progressive = false, int MetadataBytes = 0, bool Noise = false)
    {
        public double Megapixels => Width * (double)Height / 1e6;

        public ServedFile Encode()
        {
            var body = (Format, Noise) switch
            {
                (TestImageFormat.Png, true) => TestPhotos.NoisePng(Width, Height, Seed),
                (TestImageFormat.Jpeg, false) => TestPhotos.Jpeg(Width, Height, Progressive, MetadataBytes, Seed),
                (TestImageFormat.Png, false) => TestPhotos.Png(Width, Height, Seed),
                (TestImageFormat.Webp, false) => TestPhotos.Webp(Width, Height, Seed),
                _ => throw new InvalidOperationException($"no generator for {Format}{(Noise ? " noise" : "")}"),
            };
            var name = string.Create(CultureInfo.InvariantCulture,
                $"{(Noise ? "noise" : "photo")}-{Width}x{Height}{(Progressive ? "-progressive" : "")}{(MetadataBytes > 0 ? $"-meta{MetadataBytes / 1_000}k" : "")}-{Seed}.{TestImages.Extension(Format)}");
            return new ServedFile(name, body, TestImages.ContentType(Format), Width, Height);
        }
    }
}
