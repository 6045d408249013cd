using KC.Application.Common.Interfaces;
using KC.Application.Jobs.Commands.BulkJobs;
using KC.Application.Jobs.Queries.BrowseJobs;
using KC.Application.Monitoring.GetActivity;
using KC.Application.Monitoring.GetQueueStatistics;
using KC.Application.Nodes.Queries.ListNodes;
using KC.Application.Stores.Queries.GetStoreVisits;

namespace KC.Api.Dashboard.Models;

public sealed record ProblemPage(string Title, string Message, IReadOnlyList<string> Details);

public sealed record OverviewPage(ActivityView Activity, QueueStatistics Queue, IReadOnlyList<NodeView> Nodes);

/// <summary>The job list: the filter as typed (it goes back into every link), and the page.</summary>
public sealed record JobListPage(JobFilterText Filter, JobBrowsePage Page, long? OlderThan, long? NewerThan)
{
    /// <summary>This list's address with the same filter, at another page.</summary>
    public string Link(long? olderThan = null, long? newerThan = null) => JobLinks.List(Filter, olderThan, newerThan);

    /// <summary>This very page's address, which its live refresh asks for again.</summary>
    public string Self => Link(OlderThan, NewerThan);

    public bool IsFiltered => Filter != new JobFilterText();
}

public static class JobLinks
{
    /// <summary>The job list's address for a filter: every filter and the page are in the URL, so it can be shared and the back button works.</summary>
    public static string List(JobFilterText filter, long? olderThan = null, long? newerThan = null)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var query = new List<KeyValuePair<string, string?>>();
        Add("status", filter.Status);
        Add("store", filter.StoreId);
        Add("area", filter.Area);
        Add("from", filter.From);
        Add("to", filter.To);
        Add("job", filter.JobId?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("older_than", olderThan?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("newer_than", newerThan?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return "/dashboard/jobs" + Microsoft.AspNetCore.Http.QueryString.Create(query);

        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                query.Add(new(name, value));
            }
        }
    }
}

/// <summary>What a bulk action is about to do, for the person to confirm the count.</summary>
public sealed record BulkConfirmPage(BulkJobAction Action, JobFilterText Filter, IReadOnlyList<long>? JobIds, long Count);

public sealed record BulkResultPage(BulkJobResult Result, JobFilterText Filter, bool Matching);

public sealed record JobPage(JobDetailsView Job, int ImagesShown, int ImagesTotal);

public sealed record StoreListPage(string? Query, string? Area, KC.Application.Common.Paging.ResultPage<StoreView> Stores);

public sealed record StorePage(StoreView Store, IReadOnlyList<StoreVisitOutcome> Visits);

public sealed record StoreImportPage(StoreImportSummary Summary);

public sealed record SubmitPage(string Json, IReadOnlyList<string> Errors);

public sealed record SignInPage(string ReturnUrl, string? Error);
