using KC.Domain.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KC.Infrastructure.Persistence.Configurations;

internal sealed class StoreVisitConfiguration : IEntityTypeConfiguration<StoreVisit>
{
    public void Configure(EntityTypeBuilder<StoreVisit> builder)
    {
        builder.ToTable("visits");
        builder.HasKey(v => v.Id);
        builder.Property(v => v.Id).HasColumnName("id").ValueGeneratedOnAdd();
        builder.Property(v => v.JobId).HasColumnName("job_id");
        builder.Property(v => v.StoreId).HasColumnName("store_id").HasMaxLength(64).IsRequired();
        builder.Property(v => v.VisitTime).HasColumnName("visit_time");
        builder.Property(v => v.StoreKnown).HasColumnName("store_known");

        builder.HasMany(v => v.Images).WithOne().HasForeignKey(i => i.VisitId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(v => v.Images).UsePropertyAccessMode(PropertyAccessMode.Field).HasField("_images");

        builder.HasIndex(v => v.JobId).HasDatabaseName("ix_visits_job_id");
        builder.HasIndex(v => new { v.StoreId, v.VisitTime }).HasDatabaseName("ix_visits_store_id_visit_time");

        // The visits query without a store filter ranges and orders by visit time alone.
        builder.HasIndex(v => v.VisitTime).HasDatabaseName("ix_visits_visit_time");
    }
}
