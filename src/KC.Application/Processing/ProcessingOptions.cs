namespace KC.Application.Processing;

/// <summary>
/// The settings of the <c>Processing</c> section the engine reads: its slots, claims, leases and
/// outcome batches. Defaults are those of the contract; <see cref="ProcessingOptionsValidator"/>
/// refuses values the engine cannot work with. How images are fetched and measured is the
/// imaging stage's own part of the section (<c>ImagingOptions</c> in Infrastructure).
/// </summary>
public sealed class ProcessingOptions
{
    public const string SectionName = "Processing";

    /// <summary>Images in the simulated GPU step at once on this node (the GPU slots).</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>Downloads in flight on this node, ahead of the GPU step; 0 means 2 × <see cref="MaxConcurrency"/>.</summary>
    public int DownloadConcurrency { get; set; }

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
