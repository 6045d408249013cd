using Microsoft.Extensions.Options;

namespace KC.Application.Processing;

/// <summary>Refuses, at start, engine settings it cannot work with; each sentence names its setting.</summary>
public sealed class ProcessingOptionsValidator : IValidateOptions<ProcessingOptions>
{
    public ValidateOptionsResult Validate(string? name, ProcessingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.MaxConcurrency <= 0)
        {
            problems.Add("Processing:MaxConcurrency must be positive");
        }

        if (options.LeaseSeconds < 3)
        {
            problems.Add("Processing:LeaseSeconds must be at least 3");
        }

        if (options.MaxClaims < 1)
        {
            problems.Add("Processing:MaxClaims must be at least 1");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
