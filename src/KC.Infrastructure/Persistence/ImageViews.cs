using KC.Application.Common.Interfaces;
using KC.Domain.Jobs;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence;

/// <summary>Images as the read side shows them: the one projection every query that lists images uses.</summary>
internal static class ImageViews
{
    /// <summary>The images <paramref name="images"/> selects, each visit's in submission order, by visit id.</summary>
    public static async Task<ILookup<long, ImageView>> ByVisitAsync(IQueryable<ImageTask> images, CancellationToken cancellationToken)
    {
        var rows = await images
            .OrderBy(i => i.Sequence)
            .Select(i => new
            {
                i.VisitId,
                View = new ImageView(
                    i.Url,
                    i.State,
                    i.Attempts,
                    i.Width,
                    i.Height,
                    i.Perimeter,
                    i.Error,
                    i.LastError,
                    EF.Property<long?>(i, "bytes"),
                    EF.Property<int?>(i, "download_ms"),
                    EF.Property<int?>(i, "gpu_ms")),
            })
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        return rows.ToLookup(i => i.VisitId, i => i.View);
    }
}
