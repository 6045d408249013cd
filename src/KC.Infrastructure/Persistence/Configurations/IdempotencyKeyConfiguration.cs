using KC.Application.Common.Interfaces;
using KC.Application.Jobs.Commands.SubmitJob;
using KC.Domain.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KC.Infrastructure.Persistence.Configurations;

internal sealed class IdempotencyKeyConfiguration : IEntityTypeConfiguration<IdempotencyKey>
{
    public void Configure(EntityTypeBuilder<IdempotencyKey> builder)
    {
        builder.ToTable("idempotency_keys");

        // The primary key is what makes a concurrent duplicate fail instead of creating a second
        // job; a key is unique within its scope (one per API key), not across clients.
        builder.HasKey(k => new { k.Scope, k.Key });
        builder.Property(k => k.Scope).HasColumnName("scope").HasMaxLength(IdempotencyScope.MaxLength);
        builder.Property(k => k.Key).HasColumnName("idempotency_key").HasMaxLength(SubmitLimits.MaxIdempotencyKeyLength);
        builder.Property(k => k.RequestHash).HasColumnName("request_hash").HasMaxLength(64).IsRequired();
        builder.Property(k => k.JobId).HasColumnName("job_id");
        builder.Property(k => k.CreatedAt).HasColumnName("created_at");
        builder.Property(k => k.ExpiresAt).HasColumnName("expires_at");

        builder.HasOne<Job>().WithMany().HasForeignKey(k => k.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(k => k.JobId).HasDatabaseName("ix_idempotency_keys_job_id");

        // The purge of expired keys walks this.
        builder.HasIndex(k => k.ExpiresAt).HasDatabaseName("ix_idempotency_keys_expires_at");
    }
}
