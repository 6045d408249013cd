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

        // Each rule stops at its first failure, so later checks never see a missing value.
        RuleLevelCascadeMode = CascadeMode.Stop;

        RuleFor(c => c.Count)
            .NotNull().WithMessage("is required")
            .OverridePropertyName("count");

        RuleFor(c => c.Visits)
            .NotNull().WithMessage("is required")
            .NotEmpty().WithMessage("must contain at least one visit")
            .Must(v => v!.Count <= limits.MaxVisitsPerJob)
            .WithMessage($"exceeds the limit of {limits.MaxVisitsPerJob} visits per job (Api:MaxVisitsPerJob)")
            .OverridePropertyName("visits");

        RuleFor(c => c.Count)
            .Must((c, count) => count == c.Visits!.Count)
            .When(c => c.Count is not null && c.Visits is not null)
            .WithMessage(c => $"must equal the number of visits ({c.Visits!.Count}), but is {c.Count}")
            .OverridePropertyName("count");

        RuleFor(c => c.Visits)
            .Must(v => v!.Sum(visit => visit?.ImageUrls?.Count ?? 0) <= limits.MaxImagesPerJob)
            .When(c => c.Visits is not null)
            .WithMessage(c => $"hold {c.Visits!.Sum(v => v?.ImageUrls?.Count ?? 0)} images, over the limit of {limits.MaxImagesPerJob} images per job (Api:MaxImagesPerJob)")
            .OverridePropertyName("visits");

        RuleForEach(c => c.Visits)
            .NotNull().WithMessage("must be an object")
            .SetValidator(new VisitValidator(limits)!)
            .OverridePropertyName("visits");
    }

    private sealed class VisitValidator : AbstractValidator<SubmittedVisit>
    {
        public VisitValidator(SubmitLimits limits)
        {
            RuleLevelCascadeMode = CascadeMode.Stop;

            RuleFor(v => v.StoreId)
                .Must(id => !string.IsNullOrWhiteSpace(id)).WithMessage("is required and must not be blank")
                .MaximumLength(limits.MaxStoreIdLength).WithMessage($"must be at most {limits.MaxStoreIdLength} characters")
                .OverridePropertyName("store_id");

            RuleFor(v => v.ImageUrls)
                .NotNull().WithMessage("is required")
                .NotEmpty().WithMessage("must contain at least one image URL")
                .OverridePropertyName("image_url");

            RuleForEach(v => v.ImageUrls)
                .Must(url => url is null || url.Trim().Length <= limits.MaxUrlLength)
                .WithMessage($"exceeds the limit of {limits.MaxUrlLength} characters per URL (Api:MaxUrlLength)")
                .Must(url => ImageTask.IsAcceptableUrl(url?.Trim()))
                .WithMessage("must be an absolute http or https URL")
                .OverridePropertyName("image_url");

            RuleFor(v => v.VisitTime)
                .NotNull().WithMessage("is required")
                .Must(t => Rfc3339.TryParse(t, out _))
                .WithMessage("must be an RFC 3339 timestamp with an offset, such as 2025-03-11T12:00:00Z")
                .OverridePropertyName("visit_time");
        }
    }
}
