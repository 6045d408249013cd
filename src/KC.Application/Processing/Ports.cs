using KC.Domain.Jobs;

namespace KC.Application.Processing;

/// <summary>
/// The durable queue of images: the database itself. An <c>owner</c> is one run of a node
/// (<see cref="NodeIdentity.LeaseOwner"/>), so no run can renew, release or settle another's leases,
/// even a run under the same node id; outcomes are attributed to the owner's node.
/// </summary>
public interface IWorkQueue
{
    /// <summary>Claims up to <paramref name="max"/> due images for <paramref name="owner"/>, fairest first.</summary>
    Task<IReadOnlyList<ClaimedImage>> ClaimAsync(string owner, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Records outcomes and updates the counters and status of their jobs in one transaction.
    /// Outcomes of images no longer leased to <paramref name="owner"/> are ignored, so recording is idempotent.
    /// </summary>
    Task RecordOutcomesAsync(string owner, IReadOnlyList<ImageOutcome> outcomes, CancellationToken cancellationToken);

    /// <summary>Extends every lease <paramref name="owner"/> holds; returns how many.</summary>
    Task<int> RenewLeasesAsync(string owner, CancellationToken cancellationToken);

    /// <summary>
    /// Returns to the queue the images of <paramref name="owner"/> not yet settled: on a graceful
    /// stop, or when a node registers and finds an earlier run of its id, or another node of its
    /// host, dead while holding them. Only a graceful stop
    /// takes the claim back from the images' claim count (see <see cref="ProcessingOptions.MaxClaims"/>).
    /// </summary>
    Task<int> ReleaseLeasesAsync(string owner, LeaseRelease reason, CancellationToken cancellationToken);

    /// <summary>Returns to the queue the images whose lease has lapsed, whoever held them.</summary>
    Task<int> ReclaimExpiredLeasesAsync(CancellationToken cancellationToken);

    /// <summary>Those of <paramref name="jobIds"/> that have been cancelled, possibly through another node.</summary>
    Task<IReadOnlyList<long>> FindCancelledAsync(IReadOnlyCollection<long> jobIds, CancellationToken cancellationToken);
}

/// <summary>Why a node hands its leases back.</summary>
public enum LeaseRelease
{
    /// <summary>An earlier run of this node died holding them: the claims count against the images.</summary>
    EarlierRunDied,

    /// <summary>This node is stopping gracefully: the claims were not the images' fault and are taken back.</summary>
    GracefulStop,
}

/// <summary>
/// Downloads an image and reads its size from the header as the bytes arrive, failing with
/// <see cref="ImageFailureException"/>. The whole body is read and counted, so a body cut short or
/// over the size limit still fails the image, but it is never held: only the size comes back.
/// </summary>
public interface IImageDownloader
{
    Task<DownloadedImage> DownloadAsync(Uri url, CancellationToken cancellationToken);
}

/// <summary>
/// A downloaded image: its size, the bytes its body held, how many HTTP attempts fetching it took,
/// and the last attempt's error, if any failed.
/// </summary>
public sealed record DownloadedImage(ImageSize Size, long Bytes, int Attempts = 1, string? LastError = null);

/// <summary>The simulated GPU work spent on one image.</summary>
public interface IGpuStep
{
    Task RunAsync(ImageSize size, CancellationToken cancellationToken);
}
