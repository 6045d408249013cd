using KC.Domain.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KC.Infrastructure.Persistence.Configurations;

internal sealed class ImageTaskConfiguration : IEntityTypeConfiguration<ImageTask>
{
    public void Configure(EntityTypeBuilder<ImageTask> builder)
    {
        builder.ToTable("images");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).HasColumnName("id").ValueGeneratedOnAdd();
        builder.Property(i => i.JobId).HasColumnName("job_id");
        builder.Property(i => i.VisitId).HasColumnName("visit_id");
        builder.Property(i => i.Sequence).HasColumnName("seq");
        builder.Property(i => i.Url).HasColumnName("url").IsRequired();
        builder.Property(i => i.State).HasColumnName("state");
        builder.Property(i => i.Attempts).HasColumnName("attempts");
        builder.Property(i => i.Width).HasColumnName("width");
        builder.Property(i => i.Height).HasColumnName("height");
        builder.Property(i => i.Perimeter).HasColumnName("perimeter");
        builder.Property(i => i.Error).HasColumnName("error");
        builder.Property(i => i.LastError).HasColumnName("last_error");
        builder.Property(i => i.SettledAt).HasColumnName("settled_at");

        // Lease times are Unix milliseconds: compared in SQL on every claim, on every provider alike.
        builder.Property<string?>("lease_owner").HasColumnName("lease_owner").HasMaxLength(ColumnLimits.LeaseOwner);
        builder.Property<long?>("lease_expires_at").HasColumnName("lease_expires_at");
        builder.Property<long>("next_attempt_at").HasColumnName("next_attempt_at");
        builder.Property<int>("claims").HasColumnName("claims").HasDefaultValue(0);
        builder.Property<string?>("settled_by").HasColumnName("settled_by").HasMaxLength(ColumnLimits.NodeId);

        // Where the time went, shown with the results; null until the step has run.
        builder.Property<long?>("bytes").HasColumnName("bytes");
        builder.Property<int?>("download_ms").HasColumnName("download_ms");
        builder.Property<int?>("gpu_ms").HasColumnName("gpu_ms");

        builder.HasOne<Job>().WithMany().HasForeignKey(i => i.JobId).OnDelete(DeleteBehavior.Cascade);

        // The queue's claim order: the lowest position within any job first, so jobs interleave.
        // Partial, so it only ever holds the pending images.
        builder.HasIndex(i => new { i.Sequence, i.JobId })
            .HasDatabaseName("ix_images_pending_fair")
            .HasFilter("state = 0");

        // Leases held, for heartbeats, releases and reclaiming lapsed leases.
        builder.HasIndex("lease_owner")
            .HasDatabaseName("ix_images_processing_owner")
            .HasFilter("state = 1");
        builder.HasIndex("lease_expires_at")
            .HasDatabaseName("ix_images_processing_expiry")
            .HasFilter("state = 1");

        builder.HasIndex(i => new { i.JobId, i.State, i.Sequence }).HasDatabaseName("ix_images_job_state_seq");
    }
}
