using KC.Domain.Common;

namespace KC.Domain.Jobs;

/// <summary>One image of a visit: the URL to fetch and, once settled, its size or its error.</summary>
public sealed class ImageTask
{
    private ImageTask()
    {
        Url = string.Empty;
    }

    public long Id { get; private set; }

    public long JobId { get; private set; }

    public long VisitId { get; private set; }

    /// <summary>The image's position within its job; the work queue claims low positions of every job first.</summary>
    public int Sequence { get; private set; }

    public string Url { get; private set; }

    public ImageState State { get; private set; }

    public int Attempts { get; private set; }

    public int? Width { get; private set; }

    public int? Height { get; private set; }

    public long? Perimeter { get; private set; }

    public string? Error { get; private set; }

    /// <summary>The error of the last attempt that failed (a download, a decode), kept when a retry then succeeded.</summary>
    public string? LastError { get; private set; }

    public DateTimeOffset? SettledAt { get; private set; }

    public static bool IsAcceptableUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(uri.Host);

    internal static ImageTask Create(string url, int sequence)
    {
        if (!IsAcceptableUrl(url))
        {
            throw new DomainRuleException(JobRules.ImageUrlIsAbsoluteHttp, $"'{url}' is not an absolute http or https URL.");
        }

        return new ImageTask { Url = url, Sequence = sequence, State = ImageState.Pending };
    }

    /// <summary>An image that settles as failed when it is created (its store is unknown): it is never downloaded.</summary>
    internal static ImageTask CreateFailed(string url, int sequence, string error, DateTimeOffset now)
    {
        var image = Create(url, sequence);
        image.State = ImageState.Failed;
        image.Error = error;
        image.SettledAt = now;
        return image;
    }
}
