namespace KC.Application.Processing;

/// <summary>
/// Why an image failed, as a small fixed set: the <c>reason</c> label of <c>kc_images_processed_total</c>.
/// The image's error sentence says the rest; this is only what a dashboard can group by.
/// </summary>
public enum ImageFailureReason
{
    /// <summary>Not failed: succeeded or cancelled.</summary>
    None,

    /// <summary>The host answered a 4xx (other than 408 and 429 after their retries).</summary>
    Http4xx,

    /// <summary>The host answered a 5xx, retries included.</summary>
    Http5xx,

    /// <summary>An attempt, or the whole download, ran out of time.</summary>
    Timeout,

    /// <summary>No connection, no name, TLS failed, or the connection closed before the body's end.</summary>
    Connection,

    /// <summary>The body is not a decodable image, or its size is not within its first bytes.</summary>
    NotAnImage,

    /// <summary>The body is over <c>Processing:MaxImageBytes</c>.</summary>
    TooLarge,

    /// <summary>The network guard refused the address.</summary>
    RefusedAddress,

    /// <summary>The visit's store is not in the store master; never downloaded.</summary>
    UnknownStore,

    /// <summary>Claimed more than <c>Processing:MaxClaims</c> times without an outcome.</summary>
    Abandoned,

    /// <summary>Anything else: a redirect KC does not follow, or an unexpected error (logged).</summary>
    Other,
}
