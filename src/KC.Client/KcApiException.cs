using System.Net;

namespace KC.Client;

/// <summary>
/// The service refused a request: it answered with a status other than 2xx. The service's answer
/// is RFC 9457 problem details with an <c>error</c> member, one sentence naming the field at fault;
/// it is <see cref="Error"/> and this exception's <see cref="Exception.Message"/>.
/// </summary>
public class KcApiException : Exception
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoErrors = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>An exception with no answer behind it; prefer the constructor that takes the answer.</summary>
    public KcApiException()
        : this("The KC service refused the request.")
    {
    }

    /// <inheritdoc cref="KcApiException()"/>
    public KcApiException(string message)
        : this(message, innerException: null)
    {
    }

    /// <inheritdoc cref="KcApiException()"/>
    public KcApiException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Errors = NoErrors;
    }

    /// <summary>An exception for one answer of the service.</summary>
    /// <param name="statusCode">The HTTP status of the answer.</param>
    /// <param name="error">The answer's <c>error</c> sentence, if it had one.</param>
    /// <param name="title">The problem's <c>title</c>, if it had one.</param>
    /// <param name="errors">The problem's <c>errors</c>: each failing field with its messages.</param>
    public KcApiException(HttpStatusCode statusCode, string? error, string? title, IReadOnlyDictionary<string, IReadOnlyList<string>>? errors)
        : base(MessageFor(statusCode, error, title))
    {
        StatusCode = statusCode;
        Error = error;
        Title = title;
        Errors = errors ?? NoErrors;
    }

    /// <summary>The HTTP status the service answered with (<c>400</c> for the status endpoint's <c>{}</c>).</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>
    /// The answer's <c>error</c>: one sentence that names the field at fault, such as
    /// <c>visits[1].image_url[0]: must be an absolute http or https URL</c>; null when the answer had none.
    /// </summary>
    public string? Error { get; }

    /// <summary>The problem's <c>title</c>, such as <c>The request is invalid.</c>; null when the answer had none.</summary>
    public string? Title { get; }

    /// <summary>
    /// For a validation failure, every failing field (<c>visits[0].store_id</c>, <c>count</c>, …)
    /// with its messages; empty otherwise.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Errors { get; }

    private static string MessageFor(HttpStatusCode statusCode, string? error, string? title) =>
        error ?? (title is null ? $"The KC service answered HTTP {(int)statusCode} ({statusCode})." : $"{title} (HTTP {(int)statusCode})");
}

/// <summary>
/// The job or store asked for does not exist: the service answered <c>404</c>, or, for
/// <see cref="KcClient.GetStatusAsync"/> and <see cref="KcClient.WaitForCompletionAsync"/>, the
/// status endpoint's <c>400 {}</c>, which means the same (its <see cref="KcApiException.Error"/>
/// then says <c>Job n was not found.</c>, as the other endpoints do).
/// </summary>
public sealed class KcNotFoundException : KcApiException
{
    /// <inheritdoc cref="KcApiException()"/>
    public KcNotFoundException()
        : this("The KC service does not know what was asked for.")
    {
    }

    /// <inheritdoc cref="KcApiException()"/>
    public KcNotFoundException(string message)
        : base(message)
    {
    }

    /// <inheritdoc cref="KcApiException()"/>
    public KcNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <inheritdoc cref="KcApiException(HttpStatusCode, string?, string?, IReadOnlyDictionary{string, IReadOnlyList{string}}?)"/>
    public KcNotFoundException(HttpStatusCode statusCode, string? error, string? title, IReadOnlyDictionary<string, IReadOnlyList<string>>? errors)
        : base(statusCode, error, title, errors)
    {
    }
}
