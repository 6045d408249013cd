using FluentValidation;

namespace KC.Application.Common.Paging;

/// <summary>A query that answers one page of a list; <c>page</c> and <c>page_size</c> are optional on the wire.</summary>
public interface IPagedQuery
{
    long? Page { get; }

    long? PageSize { get; }
}

/// <summary>Which page of a list to read: 1-based <see cref="Page"/>, <see cref="PageSize"/> items each.</summary>
public sealed record PageRequest(int Page, int PageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>The page a validated query asks for, defaults filled in.</summary>
    public static PageRequest From(IPagedQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new PageRequest(checked((int)(query.Page ?? 1)), checked((int)(query.PageSize ?? DefaultPageSize)));
    }

    /// <summary>Items before this page. A long: page × page_size may pass <see cref="int.MaxValue"/>.</summary>
    public long Offset => (long)(Page - 1) * PageSize;
}

/// <summary>One page of a list, with the size of the whole list.</summary>
public sealed record ResultPage<T>(IReadOnlyList<T> Items, PageRequest Request, long TotalItems)
{
    /// <summary>Pages the whole list fills; 0 when it is empty.</summary>
    public long TotalPages => (TotalItems + Request.PageSize - 1) / Request.PageSize;
}

public static class PagingRules
{
    /// <summary>The <c>page</c> and <c>page_size</c> rules every list shares.</summary>
    public static void AddPagingRules<T>(this AbstractValidator<T> validator)
        where T : IPagedQuery
    {
        ArgumentNullException.ThrowIfNull(validator);
        validator.RuleFor(q => q.Page)
            .GreaterThanOrEqualTo(1).WithMessage("must be a positive integer")
            .LessThanOrEqualTo(int.MaxValue).WithMessage($"must be at most {int.MaxValue}")
            .OverridePropertyName("page");
        validator.RuleFor(q => q.PageSize)
            .InclusiveBetween(1, PageRequest.MaxPageSize).WithMessage($"must be between 1 and {PageRequest.MaxPageSize}")
            .OverridePropertyName("page_size");
    }
}
