using KC.Domain.Jobs;

namespace KC.Application.Processing;

/// <summary>An image this node has claimed from the queue and holds a lease on.</summary>
public sealed record ClaimedImage(long ImageId, long JobId, long VisitId, string Url, int Attempt);

/// <summary>What processing one image came to. Exactly one of <see cref="Size"/> and <see cref="Error"/> is set.</summary>
public sealed record ImageOutcome(long ImageId, long JobId, ImageSize? Size, string? Error)
{
    public static ImageOutcome Succeeded(ClaimedImage image, ImageSize size) => new(image.ImageId, image.JobId, size, null);

    public static ImageOutcome Failed(ClaimedImage image, string error) => new(image.ImageId, image.JobId, null, error);

    public bool IsSuccess => Size is not null;
}
