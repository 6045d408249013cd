namespace KC.Domain.Common;

/// <summary>
/// Thrown when an aggregate refuses an operation because it would break one of its rules.
/// <see cref="Rule"/> names the rule so callers and tests can tell which one broke.
/// </summary>
public sealed class DomainRuleException : Exception
{
    public DomainRuleException(string rule, string message)
        : base(message)
    {
        Rule = rule;
    }

    public DomainRuleException()
    {
        Rule = string.Empty;
    }

    public DomainRuleException(string message)
        : base(message)
    {
        Rule = string.Empty;
    }

    public DomainRuleException(string message, Exception innerException)
        : base(message, innerException)
    {
        Rule = string.Empty;
    }

    public string Rule { get; }
}
