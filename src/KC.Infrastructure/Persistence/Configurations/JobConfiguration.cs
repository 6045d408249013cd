using KC.Domain.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KC.Infrastructure.Persistence.Configurations;

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    /// <summary>The shadow property and column of a failed job's stored error list.</summary>
    public const string FailureSummaryColumn = "error_summary";

    public void Configure(EntityTypeBuilder<Job> builder)
    {
        builder.ToTable("jobs");
        builder.HasKey(j => j.Id);
        builder.Property(j => j.Id).HasColumnName("id").ValueGeneratedOnAdd();
        builder.Property(j => j.Status).HasColumnName("status");
        builder.Property(j => j.CreatedAt).HasColumnName("created_at");
        builder.Property(j => j.CompletedAt).HasColumnName("completed_at");
        builder.Property(j => j.TotalImages).HasColumnName("total_images");
        builder.Property(j => j.SucceededImages).HasColumnName("succeeded_images");
        builder.Property(j => j.FailedImages).HasColumnName("failed_images");
        builder.Property(j => j.CallbackUrl).HasColumnName("callback_url");
        builder.Ignore(j => j.Progress);

        // The submit's trace context, so the spans of its images, on any node, join the submit's trace.
        builder.Property<string?>("traceparent").HasColumnName("traceparent").HasMaxLength(ColumnLimits.TraceParent);

        // A failed job's per-store error list, written when it settles as failed (FailureSummaries).
        builder.Property<string?>(FailureSummaryColumn).HasColumnName(FailureSummaryColumn);

        builder.HasMany(j => j.Visits).WithOne().HasForeignKey(v => v.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(j => j.Visits).UsePropertyAccessMode(PropertyAccessMode.Field).HasField("_visits");

        builder.HasIndex(j => new { j.Status, j.Id }).HasDatabaseName("ix_jobs_status_id");
    }
}
