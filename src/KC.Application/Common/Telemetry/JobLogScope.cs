using Microsoft.Extensions.Logging;

namespace KC.Application.Common.Telemetry;

/// <summary>
/// The log scope of everything done for one job: <c>Job {JobId}</c>, so each line written while
/// an image, a cancel or a callback of that job is handled carries its id (<c>JobId</c> in JSON logs).
/// </summary>
public static class JobLogScope
{
    private static readonly Func<ILogger, long, IDisposable?> Scope = LoggerMessage.DefineScope<long>("Job {JobId}");

    public static IDisposable? Begin(ILogger logger, long jobId) => Scope(logger, jobId);
}
