using System.Data.Common;
using Microsoft.Extensions.Options;

namespace KC.Api.Hosting;

/// <summary>
/// A service that cannot start tells its operator why in one line and exits with status 1: a bad
/// setting, a database it cannot use, a port already taken. Until the host has started, the errors
/// the host itself and EF Core log (each with a stack trace) are held back, since the failure they
/// describe is printed once, here; from then on every log passes as configured.
/// </summary>
internal sealed class StartupFailure
{
    /// <summary>The exit status of a service that could not start.</summary>
    public const int ExitCode = 1;

    private static readonly string[] QuietWhileStarting =
    [
        "Microsoft.Extensions.Hosting",
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.EntityFrameworkCore",
    ];

    private volatile bool _started;

    public bool HasStarted => _started;

    public void Started() => _started = true;

    /// <summary>A logging filter: false for the errors <see cref="QuietWhileStarting"/> log before the host has started.</summary>
    public bool Allows(string? category, LogLevel level) =>
        _started || level < LogLevel.Error || category is null
        || !QuietWhileStarting.Any(prefix => category.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>What went wrong, as one line that names the setting to look at where it is known.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var line = exception switch
        {
            AggregateException { InnerExceptions.Count: 1 } aggregate => Describe(aggregate.InnerExceptions[0]),
            OptionsValidationException options => string.Join("; ", options.Failures),
            IOException io when io.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException => $"{io.Message} (Urls)",
            DbException database => $"the database cannot be used (Database:Provider, ConnectionStrings:KC): {database.Message}",
            _ when exception.InnerException is DbException database => $"the database cannot be used (Database:Provider, ConnectionStrings:KC): {database.Message}",
            ArgumentException { ParamName: { } name } argument => argument.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal),
            _ => exception.Message,
        };
        return string.Join(' ', line.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}

/// <summary>Hooks <see cref="StartupFailure"/> into logging.</summary>
internal static class StartupFailureLogging
{
    /// <summary>
    /// Wraps every logging rule, so the quiet-while-starting filter applies whichever rule a logger
    /// ends up with (only one rule applies to each, the most specific), and adds a catch-all for
    /// loggers no rule names.
    /// </summary>
    public static ILoggingBuilder QuietUntilStarted(this ILoggingBuilder logging, StartupFailure startup)
    {
        logging.Services.PostConfigure<LoggerFilterOptions>(options =>
        {
            var rules = options.Rules.Select(rule => new LoggerFilterRule(
                rule.ProviderName,
                rule.CategoryName,
                rule.LogLevel,
                (provider, category, level) => startup.Allows(category, level) && (rule.Filter?.Invoke(provider, category, level) ?? true))).ToList();
            options.Rules.Clear();
            options.Rules.Add(new LoggerFilterRule(null, null, null, (_, category, level) => startup.Allows(category, level)));
            foreach (var rule in rules)
            {
                options.Rules.Add(rule);
            }
        });
        return logging;
    }
}
