using KC.Application.Common.Paging;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence;

internal static class PagingExtensions
{
    /// <summary>
    /// Counts <paramref name="query"/> and reads the requested page of it; a page past the end is
    /// answered from the count alone. <paramref name="query"/> must already be ordered.
    /// </summary>
    public static async Task<ResultPage<T>> ToPageAsync<T>(this IQueryable<T> query, PageRequest page, CancellationToken cancellationToken)
    {
        var total = await query.LongCountAsync(cancellationToken).ConfigureAwait(false);
        if (page.Offset >= total)
        {
            return new ResultPage<T>([], page, total);
        }

        // Below the count, so it fits the int Skip takes.
        var items = await query.Skip((int)page.Offset).Take(page.PageSize).ToListAsync(cancellationToken).ConfigureAwait(false);
        return new ResultPage<T>(items, page, total);
    }
}
