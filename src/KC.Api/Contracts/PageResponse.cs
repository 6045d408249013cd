using KC.Application.Common.Paging;

namespace KC.Api.Contracts;

/// <summary>One page of a list: its items, the page asked for, and the size of the whole list.</summary>
public sealed record PageResponse<T>(IReadOnlyList<T> Items, int Page, int PageSize, long TotalItems, long TotalPages);

public static class PageResponse
{
    public static PageResponse<T> From<TView, T>(ResultPage<TView> page, Func<TView, T> map)
    {
        ArgumentNullException.ThrowIfNull(page);
        return new PageResponse<T>([.. page.Items.Select(map)], page.Request.Page, page.Request.PageSize, page.TotalItems, page.TotalPages);
    }
}
