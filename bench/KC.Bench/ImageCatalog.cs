using System.Globalization;
using KC.TestSupport;

namespace KC.Bench;

/// <summary>
/// The images a workload points at: a few dozen distinct sizes on the local image server, JPEG and
/// PNG alternating. The server encodes each size once and then serves cached bytes, so in the
/// measured runs it does almost nothing besides HTTP on the two cores it shares with the service.
/// </summary>
internal sealed class ImageCatalog
{
    private readonly string _root;
    private readonly string[] _paths;

    private ImageCatalog(TestImageServer server, string[] paths)
    {
        _root = server.BaseAddress.ToString().TrimEnd('/');
        _paths = paths;
    }

    public int DistinctImages => _paths.Length;

    /// <summary>Body sizes of the distinct images, known after <see cref="WarmUpAsync"/>.</summary>
    public IReadOnlyList<long> BodyBytes { get; private set; } = [];

    public string DescribeBodies() => BodyBytes.Count == 0
        ? "unknown"
        : string.Create(CultureInfo.InvariantCulture, $"{_paths.Length} distinct images, bodies {BodyBytes.Min():#,0} to {BodyBytes.Max():#,0} bytes (mean {BodyBytes.Average():#,0})");

    /// <summary>50 shelf-photo-like sizes from 400×300 to about 1576×1182.</summary>
    public static ImageCatalog Photos(TestImageServer server) => new(server, [.. Enumerable.Range(0, 50).Select(k =>
    {
        var width = 400 + (24 * k);
        var height = (width * 3 / 4) + ((k % 5) * 2);
        return Path(width, height, k % 2 == 0 ? "jpg" : "png");
    })]);

    /// <summary>Tiny images for the queue-overhead run: headers and a few bytes of pixels.</summary>
    public static ImageCatalog Tiny(TestImageServer server) => new(server, [.. Enumerable.Range(1, 10).Select(k =>
        Path(k, k + 1, k % 2 == 0 ? "jpg" : "png"))]);

    /// <summary>
    /// The URL of the <paramref name="index"/>-th image of a job. The query string makes every URL of
    /// a job distinct, as a real client's are; the image server ignores it.
    /// </summary>
    public string Url(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{_root}{_paths[index % _paths.Length]}?n={index}");

    /// <summary>The perimeter the service must report for the <paramref name="index"/>-th image.</summary>
    public int ExpectedPerimeter(int index)
    {
        var file = _paths[index % _paths.Length]["/img/".Length..];
        var size = file[..file.IndexOf('.', StringComparison.Ordinal)].Split('x');
        return 2 * (int.Parse(size[0], CultureInfo.InvariantCulture) + int.Parse(size[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Fetches every distinct image once, so encoding happens here and not during a measured run.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient();
        var sizes = new List<long>(_paths.Length);
        foreach (var path in _paths)
        {
            var body = await client.GetByteArrayAsync(new Uri(_root + path), cancellationToken);
            sizes.Add(body.Length);
        }

        BodyBytes = sizes;
    }

    private static string Path(int width, int height, string extension) =>
        string.Create(CultureInfo.InvariantCulture, $"/img/{width}x{height}.{extension}");
}
