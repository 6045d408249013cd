namespace KC.Infrastructure.Imaging;

/// <summary>
/// The <c>Processing</c> settings the download and GPU stages read: how images are fetched and
/// measured, and how long the simulated GPU takes. Validated where they are registered
/// (<see cref="ImagingServices"/>); the engine's own settings are <c>ProcessingOptions</c>.
/// </summary>
public sealed class ImagingOptions
{
    public const string SectionName = "Processing";

    /// <summary>Lets downloads (and callbacks) reach loopback, private, link-local and other non-public addresses.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Time allowed for one download attempt; also the connect timeout.</summary>
    public int DownloadTimeoutSeconds { get; set; } = 30;

    /// <summary>Tries per image download, the first included, for transient failures.</summary>
    public int MaxAttempts { get; set; } = 3;

    public long MaxImageBytes { get; set; } = 26_214_400;

    /// <summary>
    /// How far into a body its size may be. The size is read from the first bytes as they arrive,
    /// but EXIF, XMP and ICC segments can put a JPEG's size marker hundreds of KB into the file; an
    /// image whose size is not found within this many bytes fails.
    /// </summary>
    public int MaxHeaderBytes { get; set; } = 4 * 1024 * 1024;

    public int MaxRedirects { get; set; } = 5;

    /// <summary>
    /// Connections open at once to one image host (scheme, host and port). Downloads past it wait
    /// for a free connection in their download slot. A connection costs a node about 100 KB of
    /// memory, and one host rarely serves faster over thousands of connections than over a few
    /// hundred, so at S = 1,024 the 2,048 download slots no longer mean 2,048 sockets to one host.
    /// </summary>
    public int MaxConnectionsPerHost { get; set; } = 256;

    public int GpuDelayMinMs { get; set; } = 100;

    public int GpuDelayMaxMs { get; set; } = 400;

    /// <summary>The longest a whole download may take, retries and body included.</summary>
    public TimeSpan DownloadBudget => TimeSpan.FromSeconds(DownloadTimeoutSeconds * (MaxAttempts + 1));
}
