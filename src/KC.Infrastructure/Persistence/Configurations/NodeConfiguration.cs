using KC.Application.Processing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KC.Infrastructure.Persistence.Configurations;

internal sealed class NodeConfiguration : IEntityTypeConfiguration<NodeRecord>
{
    public void Configure(EntityTypeBuilder<NodeRecord> builder)
    {
        builder.ToTable("nodes");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Id).HasColumnName("id").HasMaxLength(ColumnLimits.NodeId);
        builder.Property(n => n.Role).HasColumnName("role").HasMaxLength(16).IsRequired();
        builder.Property(n => n.StartedAt).HasColumnName("started_at");
        builder.Property(n => n.HeartbeatAt).HasColumnName("heartbeat_at");
        builder.Property(n => n.StoppedAt).HasColumnName("stopped_at");
        builder.Property(n => n.LostAt).HasColumnName("lost_at");
        builder.Property(n => n.ImagesSettled).HasColumnName("images_settled");
        builder.Property(n => n.RunId).HasColumnName("run_id").HasMaxLength(NodeIdentity.RunIdLength);
        builder.Property(n => n.HostName).HasColumnName("host_name").HasMaxLength(ColumnLimits.HostName);
        builder.Property(n => n.ProcessId).HasColumnName("process_id");
    }
}

internal sealed class MaintenanceLeaseConfiguration : IEntityTypeConfiguration<MaintenanceLease>
{
    public void Configure(EntityTypeBuilder<MaintenanceLease> builder)
    {
        builder.ToTable("maintenance_leases");
        builder.HasKey(l => l.Name);
        builder.Property(l => l.Name).HasColumnName("name").HasMaxLength(64);
        builder.Property(l => l.Owner).HasColumnName("owner").HasMaxLength(ColumnLimits.NodeId);
        builder.Property(l => l.ExpiresAt).HasColumnName("expires_at");
    }
}
