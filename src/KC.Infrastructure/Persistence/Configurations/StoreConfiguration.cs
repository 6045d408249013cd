using KC.Domain.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KC.Infrastructure.Persistence.Configurations;

internal sealed class StoreConfiguration : IEntityTypeConfiguration<Store>
{
    public void Configure(EntityTypeBuilder<Store> builder)
    {
        builder.ToTable("stores");
        builder.HasKey(s => s.StoreId);
        builder.Property(s => s.StoreId).HasColumnName("store_id").HasMaxLength(Store.MaxIdLength);
        builder.Property(s => s.StoreName).HasColumnName("store_name").HasMaxLength(Store.MaxNameLength).IsRequired();
        builder.Property(s => s.AreaCode).HasColumnName("area_code").HasMaxLength(Store.MaxAreaCodeLength).IsRequired();
        builder.HasIndex(s => s.AreaCode).HasDatabaseName("ix_stores_area_code");
    }
}
