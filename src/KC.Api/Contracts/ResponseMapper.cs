using KC.Application.Common;
using KC.Application.Common.Interfaces;
using KC.Domain.Jobs;
using Riok.Mapperly.Abstractions;

namespace KC.Api.Contracts;

/// <summary>Maps application views to wire contracts: lower-case status words and UTC times that print with a Z.</summary>
[Mapper]
public static partial class ResponseMapper
{
    public static JobStatusResponse ToResponse(this JobStatusView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new JobStatusResponse(
            view.JobId,
            ToWord(view.Status),
            ToResponse(view.Progress),
            view.Status == JobStatus.Failed ? view.Errors.Select(ToResponse).ToList() : null);
    }

    [MapProperty(nameof(JobDetailsView.Errors), nameof(JobDetailsResponse.Error))]
    public static partial JobDetailsResponse ToResponse(this JobDetailsView view);

    public static partial StoreErrorResponse ToResponse(this StoreError error);

    [MapProperty(nameof(VisitView.Status), nameof(VisitResponse.Status), Use = nameof(ToWord))]
    [MapperIgnoreSource(nameof(VisitView.ImageCount))]
    private static partial VisitResponse ToResponse(VisitView visit);

    [MapProperty(nameof(ImageView.State), nameof(ImageResponse.Status), Use = nameof(StateToWord))]
    private static partial ImageResponse ToResponse(ImageView image);

    [MapProperty(nameof(CallbackView.Status), nameof(CallbackResponse.Status), Use = nameof(CallbackStatusToWord))]
    private static partial CallbackResponse ToResponse(CallbackView callback);

    private static partial CallbackAttemptResponse ToResponse(CallbackAttemptView attempt);

    private static ProgressResponse ToResponse(JobProgress progress) =>
        new(progress.Total, progress.Succeeded, progress.Failed, progress.Cancelled, progress.Pending);

    [UserMapping(Default = true)]
    private static string ToWord(JobStatus status) => StatusWords.Of(status);

    private static string StateToWord(ImageState state) => StatusWords.Of(state);

    private static string CallbackStatusToWord(CallbackStatus status) => StatusWords.Of(status);

    private static DateTime ToUtc(DateTimeOffset time) => time.UtcDateTime;

    private static DateTime? ToUtc(DateTimeOffset? time) => time?.UtcDateTime;
}
