using KC.Application.Common.Interfaces;
using KC.Application.Processing;
using KC.Domain.Jobs;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence;

internal sealed class NodeReadModel(KcDbContext db) : INodeReadModel
{
    public async Task<IReadOnlyList<NodeRecordView>> ListAsync(CancellationToken cancellationToken)
    {
        var nodes = await db.Nodes.AsNoTracking().OrderBy(n => n.Id).ToListAsync(cancellationToken).ConfigureAwait(false);

        // Walks the partial index of leased images, ix_images_processing_owner.
        var leases = await db.Images.AsNoTracking()
            .Where(i => i.State == ImageState.Processing)
            .GroupBy(i => EF.Property<string?>(i, "lease_owner"))
            .Select(g => new { Owner = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        var held = leases.Where(l => l.Owner is not null).ToDictionary(l => l.Owner!, l => l.Count, StringComparer.Ordinal);

        // A node's leases are those of the run its row names; a row of an earlier version held them under the bare id.
        return nodes.Select(n => new NodeRecordView(
                n.Id,
                n.Role,
                n.HostName,
                n.ProcessId,
                DateTimeOffset.FromUnixTimeMilliseconds(n.StartedAt),
                DateTimeOffset.FromUnixTimeMilliseconds(n.HeartbeatAt),
                n.StoppedAt is { } stopped ? DateTimeOffset.FromUnixTimeMilliseconds(stopped) : null,
                n.LostAt is { } lost ? DateTimeOffset.FromUnixTimeMilliseconds(lost) : null,
                n.ImagesSettled,
                held.GetValueOrDefault(n.RunId is null ? n.Id : NodeIdentity.LeaseOwnerOf(n.Id, n.RunId))))
            .ToList();
    }
}
