using KC.Application.Common.Interfaces;
using KC.Application.Common.Paging;
using KC.Application.Nodes.Queries.ListNodes;
using Riok.Mapperly.Abstractions;

namespace KC.Api.Contracts;

/// <summary>The lists (jobs, visits, stores), the store import and the results export.</summary>
public static partial class ResponseMapper
{
    public static PageResponse<JobSummaryResponse> ToResponse(this ResultPage<JobSummaryView> page) => PageResponse.From<JobSummaryView, JobSummaryResponse>(page, ToResponse);

    public static PageResponse<VisitResultResponse> ToResponse(this ResultPage<VisitResultView> page) => PageResponse.From<VisitResultView, VisitResultResponse>(page, ToResponse);

    public static PageResponse<StoreResponse> ToResponse(this ResultPage<StoreView> page) => PageResponse.From<StoreView, StoreResponse>(page, ToResponse);

    public static partial StoreResponse ToResponse(this StoreView store);

    public static NodeListResponse ToResponse(this IReadOnlyList<NodeView> nodes) => new([.. nodes.Select(ToResponse)]);

    public static partial StoreImportResponse ToResponse(this StoreImportSummary summary);

    [MapProperty(nameof(JobResultRow.State), nameof(JobResultCsvRow.Status), Use = nameof(StateToWord))]
    public static partial JobResultCsvRow ToCsvRow(this JobResultRow row);

    private static partial JobSummaryResponse ToResponse(JobSummaryView job);

    private static partial VisitResultResponse ToResponse(VisitResultView visit);

    [MapProperty(nameof(NodeView.State), nameof(NodeResponse.State), Use = nameof(NodeStateToWord))]
    private static partial NodeResponse ToResponse(NodeView node);

    internal static string NodeStateToWord(NodeState state) => state switch
    {
        NodeState.Alive => "alive",
        NodeState.Stopped => "stopped",
        NodeState.Lost => "lost",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown node state"),
    };
}
