using FluentValidation;

namespace KC.Application.Common.Validation;

public static class IdRules
{
    /// <summary>An id from the route or query: positive, named as the client wrote it.</summary>
    public static IRuleBuilderOptions<T, long> MustBeAnId<T>(this IRuleBuilder<T, long> rule, string wireName) =>
        rule.GreaterThan(0).WithMessage("must be a positive integer").OverridePropertyName(wireName);
}
