using KC.Application.Jobs.Commands.SubmitJob;

namespace KC.Api.Contracts;

/// <summary>
/// The body of <c>POST /api/submit</c>. Members are nullable so the validator can name what is
/// missing; they are properties rather than constructor parameters so a JSON type error names the
/// member's own type.
/// </summary>
public sealed class SubmitJobRequest
{
    [RequiredOnTheWire]
    public int? Count { get; init; }

    [RequiredOnTheWire]
    public IReadOnlyList<VisitRequest?>? Visits { get; init; }

    /// <summary>Optional: an absolute http or https URL that receives the final status body, POSTed when the job settles.</summary>
    public string? CallbackUrl { get; init; }

    /// <summary>The command this body asks for, as the API and the dashboard's submit page both send it.</summary>
    public SubmitJobCommand ToCommand(string? idempotencyKey, string? idempotencyScope) => new(
        Count,
        Visits?.Select(v => v is null ? null : new SubmittedVisit(v.StoreId, v.ImageUrl, v.VisitTime)).ToList(),
        CallbackUrl,
        idempotencyKey,
        idempotencyScope);
}

public sealed class VisitRequest
{
    [RequiredOnTheWire]
    public string? StoreId { get; init; }

    [RequiredOnTheWire]
    public IReadOnlyList<string?>? ImageUrl { get; init; }

    [RequiredOnTheWire]
    public string? VisitTime { get; init; }
}

public sealed record SubmitJobResponse(long JobId);
