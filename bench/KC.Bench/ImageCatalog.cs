using System.Globalization;
using KC.TestSupport;

namespace KC.Bench;

/// <summary>One distinct image of a catalog: where the image server has it, and its size.</summary>
internal sealed record CatalogImage(string Path, int Width, int Height)
{
    public int Perimeter => 2 * (Width + Height);
}

/// <summary>An encoded image for the server to serve as it is, and the size the service must report for it.</summary>
internal sealed record ServedFile(string Name, byte[] Body, string ContentType, int Width, int Height);

/// <summary>
/// The images a workload points at, on the local image server: generated drawings that the server
/// encodes once and then serves from its cache, or files handed to it. Either way, in the measured
/// runs it does almost nothing besides HTTP on the two cores it shares with the service.
/// </summary>
internal sealed class ImageCatalog
{
    private readonly string _root;
    private readonly CatalogImage[] _images;

    private ImageCatalog(TestImageServer server, CatalogImage[] images, IReadOnlyList<long> bodyBytes)
    {
        _root = server.BaseAddress.ToString().TrimEnd('/');
        _images = images;
        BodyBytes = bodyBytes;
    }

    public int DistinctImages => _images.Length;

    /// <summary>Body sizes of the distinct images, known after <see cref="WarmUpAsync"/> (for files, from the start).</summary>
    public IReadOnlyList<long> BodyBytes { get; private set; }

    public string DescribeBodies() => BodyBytes.Count == 0
        ? "unknown"
        : string.Create(CultureInfo.InvariantCulture, $"{_images.Length} distinct images, bodies {BodyBytes.Min():#,0} to {BodyBytes.Max():#,0} bytes (mean {BodyBytes.Average():#,0})");

    /// <summary>50 shelf-photo-like sizes from 400×300 to about 1576×1182.</summary>
    public static ImageCatalog Photos(TestImageServer server) => Generated(server, Enumerable.Range(0, 50).Select(k =>
    {
        var width = 400 + (24 * k);
        var height = (width * 3 / 4) + ((k % 5) * 2);
        return Drawing(width, height, k % 2 == 0 ? "jpg" : "png");
    }));

    /// <summary>Tiny images for the queue-overhead run: headers and a few bytes of pixels.</summary>
    public static ImageCatalog Tiny(TestImageServer server) => Generated(server, Enumerable.Range(1, 10).Select(k =>
        Drawing(k, k + 1, k % 2 == 0 ? "jpg" : "png")));

    /// <summary>Files handed to the server as they are (<c>/files/{name}</c>), in this order.</summary>
    public static ImageCatalog Files(TestImageServer server, IEnumerable<ServedFile> files)
    {
        var images = new List<CatalogImage>();
        var bodyBytes = new List<long>();
        foreach (var file in files)
        {
            images.Add(new CatalogImage(server.AddFile(file.Name, file.Body, file.ContentType).AbsolutePath, file.Width, file.Height));
            bodyBytes.Add(file.Body.Length);
        }

        return new ImageCatalog(server, [.. images], bodyBytes);
    }

    /// <summary>
    /// The URL of the <paramref name="index"/>-th image of a job. The query string makes every URL of
    /// a job distinct, as a real client's are; the image server ignores it.
    /// </summary>
    public string Url(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{_root}{_images[index % _images.Length].Path}?n={index}");

    /// <summary>The perimeter the service must report for the <paramref name="index"/>-th image.</summary>
    public int ExpectedPerimeter(int index) => _images[index % _images.Length].Perimeter;

    /// <summary>The bytes a job of <paramref name="imageCount"/> images downloads, its images taken in URL order.</summary>
    public long JobBytes(int imageCount)
    {
        long total = 0;
        for (var i = 0; i < _images.Length; i++)
        {
            var uses = (imageCount / _images.Length) + (i < imageCount % _images.Length ? 1 : 0);
            total += uses * BodyBytes[i];
        }

        return total;
    }

    /// <summary>Fetches every distinct image once, so encoding happens here and not during a measured run.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient();
        var sizes = new List<long>(_images.Length);
        foreach (var image in _images)
        {
            var body = await client.GetByteArrayAsync(new Uri(_root + image.Path), cancellationToken);
            sizes.Add(body.Length);
        }

        BodyBytes = sizes;
    }

    private static ImageCatalog Generated(TestImageServer server, IEnumerable<CatalogImage> images) => new(server, [.. images], []);

    private static CatalogImage Drawing(int width, int height, string extension) =>
        new(string.Create(CultureInfo.InvariantCulture, $"/img/{width}x{height}.{extension}"), width, height);
}
