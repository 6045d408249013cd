using KC.Domain.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KC.Infrastructure.Persistence.Configurations;

internal sealed class CallbackDeliveryConfiguration : IEntityTypeConfiguration<CallbackDelivery>
{
    public void Configure(EntityTypeBuilder<CallbackDelivery> builder)
    {
        builder.ToTable("callback_deliveries");

        // One delivery per job: a job settles once.
        builder.HasKey(d => d.JobId);
        builder.Property(d => d.JobId).HasColumnName("job_id").ValueGeneratedNever();
        builder.Property(d => d.Url).HasColumnName("url").IsRequired();
        builder.Property(d => d.State).HasColumnName("state");
        builder.Property(d => d.Attempts).HasColumnName("attempts");
        builder.Property(d => d.NextAttemptAt).HasColumnName("next_attempt_at");
        builder.Property(d => d.LeaseOwner).HasColumnName("lease_owner").HasMaxLength(ColumnLimits.NodeId);
        builder.Property(d => d.LeaseExpiresAt).HasColumnName("lease_expires_at");
        builder.Property(d => d.CreatedAt).HasColumnName("created_at");
        builder.Property(d => d.CompletedAt).HasColumnName("completed_at");

        builder.HasOne<Job>().WithMany().HasForeignKey(d => d.JobId).OnDelete(DeleteBehavior.Cascade);

        // The dispatcher's claim: pending deliveries by due time. Partial, so delivered and failed
        // ones never weigh on it.
        builder.HasIndex(d => d.NextAttemptAt)
            .HasDatabaseName("ix_callback_deliveries_due")
            .HasFilter("state = 0");
    }
}

internal sealed class CallbackAttemptConfiguration : IEntityTypeConfiguration<CallbackAttempt>
{
    public void Configure(EntityTypeBuilder<CallbackAttempt> builder)
    {
        builder.ToTable("callback_attempts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).HasColumnName("id").ValueGeneratedOnAdd();
        builder.Property(a => a.JobId).HasColumnName("job_id");
        builder.Property(a => a.AttemptedAt).HasColumnName("attempted_at");
        builder.Property(a => a.StatusCode).HasColumnName("status_code");
        builder.Property(a => a.Error).HasColumnName("error");

        builder.HasOne<CallbackDelivery>().WithMany().HasForeignKey(a => a.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => new { a.JobId, a.Id }).HasDatabaseName("ix_callback_attempts_job_id");
    }
}
