using FluentValidation;
using KC.Application.Common.Time;
using KC.Domain.Jobs;

namespace KC.Application.Jobs.Commands.SubmitJob;

/// <summary>
/// Every 400 case of the submit contract. Property names are the wire names
/// (<c>visits[1].image_url[0]</c>), so the error sentence points at the field the client sent.
/// </summary>
public sealed class SubmitJobValidator : AbstractValidator<SubmitJobCommand>
{
    public SubmitJobValidator(SubmitLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);

        // Each value stops at its first failure, so later checks never see a missing value. The
        // stop is set per rule, not per class: on a collection rule it would end the whole list at
        // its first bad element, and every bad element should be reported.

        RuleFor(c => c.Count)
            .Cascade(CascadeMode.Stop)
            .NotNull().WithMessage("is required")
            .OverridePropertyName("count");

        RuleFor(c => c.Visits)
            .Cascade(CascadeMode.Stop)
            .NotNull().WithMessage("is required")
            .NotEmpty().WithMessage("must contain at least one visit")
            .Must(v => v!.Count <= limits.MaxVisitsPerJob)
            .WithMessage($"exceeds the limit of {limits.MaxVisitsPerJob} visits per job (Api:MaxVisitsPerJob)")
            .OverridePropertyName("visits");

        RuleFor(c => c.Count)
            .Cascade(CascadeMode.Stop)
            .Must((c, count) => count == c.Visits!.Count)
            .When(c => c.Count is not null && c.Visits is not null)
            .WithMessage(c => $"must equal the number of visits ({c.Visits!.Count}), but is {c.Count}")
            .OverridePropertyName("count");

        RuleFor(c => c.Visits)
            .Cascade(CascadeMode.Stop)
            .Must(v => v!.Sum(visit => visit?.ImageUrls?.Count ?? 0) <= limits.MaxImagesPerJob)
            .When(c => c.Visits is not null)
            .WithMessage(c => $"hold {c.Visits!.Sum(v => v?.ImageUrls?.Count ?? 0)} images, over the limit of {limits.MaxImagesPerJob} images per job (Api:MaxImagesPerJob)")
            .OverridePropertyName("visits");

        RuleForEach(c => c.Visits)
            .NotNull().WithMessage("must be an object")
            .SetValidator(new VisitValidator(limits)!)
            .OverridePropertyName("visits");

        RuleFor(c => c.CallbackUrl)
            .Must(url => UrlProblem(url, limits) is null)
            .When(c => c.CallbackUrl is not null)
            .WithMessage((_, url) => UrlProblem(url, limits))
            .OverridePropertyName("callback_url");

        // A header, so the failure names the header.
        RuleFor(c => c.IdempotencyKey)
            .Must(IsAcceptableIdempotencyKey)
            .When(c => c.IdempotencyKey is not null)
            .WithMessage($"must be 1 to {SubmitLimits.MaxIdempotencyKeyLength} printable ASCII characters")
            .OverridePropertyName("Idempotency-Key");
    }

    /// <summary>1–200 characters from space to tilde: no control characters, nothing outside ASCII.</summary>
    private static bool IsAcceptableIdempotencyKey(string? key) =>
        key is { Length: > 0 and <= SubmitLimits.MaxIdempotencyKeyLength } && key.All(c => c is >= ' ' and <= '~');

    /// <summary>The first thing wrong with an image or callback URL, or null; the length limit first, so a huge value is not parsed.</summary>
    private static string? UrlProblem(string? url, SubmitLimits limits) =>
        url is not null && url.Trim().Length > limits.MaxUrlLength
            ? $"exceeds the limit of {limits.MaxUrlLength} characters per URL (Api:MaxUrlLength)"
            : ImageTask.IsAcceptableUrl(url?.Trim()) ? null : "must be an absolute http or https URL";

    private sealed class VisitValidator : AbstractValidator<SubmittedVisit>
    {
        public VisitValidator(SubmitLimits limits)
        {
            RuleFor(v => v.StoreId)
                .Cascade(CascadeMode.Stop)
                .Must(id => !string.IsNullOrWhiteSpace(id)).WithMessage("is required and must not be blank")
                .MaximumLength(limits.MaxStoreIdLength).WithMessage($"must be at most {limits.MaxStoreIdLength} characters")
                .OverridePropertyName("store_id");

            RuleFor(v => v.ImageUrls)
                .Cascade(CascadeMode.Stop)
                .NotNull().WithMessage("is required")
                .NotEmpty().WithMessage("must contain at least one image URL")
                .OverridePropertyName("image_url");

            RuleForEach(v => v.ImageUrls)
                .Must(url => UrlProblem(url, limits) is null)
                .WithMessage((_, url) => UrlProblem(url, limits))
                .OverridePropertyName("image_url");

            RuleFor(v => v.VisitTime)
                .Cascade(CascadeMode.Stop)
                .NotNull().WithMessage("is required")
                .Must(t => Rfc3339.TryParse(t, out _))
                .WithMessage("must be an RFC 3339 timestamp with an offset, such as 2025-03-11T12:00:00Z")
                .OverridePropertyName("visit_time");
        }
    }
}
