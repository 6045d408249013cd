using FluentValidation;

namespace KC.Application.UnitTests.Common.Paging;

/// <summary>Runs a validator and keeps what a client would see: each failing field and its sentence.</summary>
internal static class PagingValidation
{
    public static List<(string Field, string Message)> Errors<T>(this IValidator<T> validator, T message) =>
        validator.Validate(message).Errors.Select(e => (e.PropertyName, e.ErrorMessage)).ToList();
}
