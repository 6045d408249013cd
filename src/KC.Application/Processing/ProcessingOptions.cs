namespace KC.Application.Processing;

/// <summary>The <c>Processing</c> section of configuration. Defaults are those of the contract.</summary>
public sealed class ProcessingOptions
{
    public const string SectionName = "Processing";

    /// <summary>Images in the simulated GPU step at once on this node (the GPU slots).</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>Downloads in flight on this node, ahead of the GPU step; 0 means 2 × <see cref="MaxConcurrency"/>.</summary>
    public int DownloadConcurrency { get; set; }

    public int GpuDelayMinMs { get; set; } = 100;

    public int GpuDelayMaxMs { get; set; } = 400;

    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Time allowed for one download attempt.</summary>
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

    /// <summary>How long a claim on an image lasts without a heartbeat renewing it.</summary>
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>
    /// Claims an image may take without an outcome before the next claim fails it: an image whose
    /// processing kills its node (a crash in a decoder, memory exhausted) would otherwise take
    /// down every node in turn, for ever. Graceful stops do not count.
    /// </summary>
    public int MaxClaims { get; set; } = 10;

    /// <summary>Most images claimed in one statement.</summary>
    public int ClaimBatchSize { get; set; } = 256;

    /// <summary>How often an idle worker looks for work that no local submit announced.</summary>
    public int IdlePollMilliseconds { get; set; } = 500;

    /// <summary>Most outcomes written in one transaction.</summary>
    public int OutcomeBatchSize { get; set; } = 512;

    /// <summary>How long outcomes may wait to be written together; bounds the delay a batch adds.</summary>
    public int OutcomeFlushMilliseconds { get; set; } = 50;

    /// <summary>On shutdown, how long images already in flight may take to finish before they are released.</summary>
    public int ShutdownGraceSeconds { get; set; } = 10;

    public int EffectiveDownloadConcurrency => DownloadConcurrency > 0 ? DownloadConcurrency : 2 * MaxConcurrency;

    /// <summary>Images one node holds claimed at once: enough to keep every download and GPU slot busy.</summary>
    public int ClaimCapacity => MaxConcurrency + EffectiveDownloadConcurrency;

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);

    /// <summary>Leases are renewed three times per lease period, so one late heartbeat never loses a lease.</summary>
    public TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(LeaseSeconds / 3.0);
}
