namespace KC.Api.Dashboard;

/// <summary>The <c>Dashboard</c> settings.</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>Serve the pages under <c>/dashboard</c> (and redirect <c>/</c> there). On by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Show everything, change nothing: every action is hidden, and refused when sent anyway.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>How often an open page refreshes what moves (the queue, a running job), in seconds.</summary>
    public int RefreshSeconds { get; set; } = 2;
}
