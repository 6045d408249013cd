namespace KC.Infrastructure.Hosting;

/// <summary>The <c>Retention</c> section: how long finished jobs are kept. Off unless <see cref="Days"/> is set.</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>Finished jobs (completed, failed or cancelled) older than this many days are removed; 0 keeps them for ever.</summary>
    public double Days { get; set; }

    /// <summary>Image rows removed in one statement, so no transaction holds locks for long.</summary>
    public int BatchSize { get; set; } = 5_000;

    /// <summary>How often a node looks for expired jobs.</summary>
    public int IntervalMinutes { get; set; } = 60;

    public bool Enabled => Days > 0;
}
