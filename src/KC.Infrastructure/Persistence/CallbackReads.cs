using KC.Application.Common.Interfaces;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence;

/// <summary>The read side of a job's completion callback: its delivery state and every attempt.</summary>
internal static class CallbackReads
{
    /// <summary>Null for a job without a callback URL; pending with no attempts until the job settles.</summary>
    public static async Task<CallbackView?> GetAsync(KcDbContext db, long jobId, string? url, CancellationToken cancellationToken)
    {
        if (url is null)
        {
            return null;
        }

        var state = await db.Set<CallbackDelivery>().AsNoTracking()
            .Where(d => d.JobId == jobId)
            .Select(d => (CallbackStatus?)d.State)
            .FirstOrDefaultAsync(cancellationToken)
            .ConfigureAwait(false);
        if (state is null)
        {
            return new CallbackView(url, CallbackStatus.Pending, []);
        }

        var attempts = await db.Set<CallbackAttempt>().AsNoTracking()
            .Where(a => a.JobId == jobId)
            .OrderBy(a => a.Id)
            .Select(a => new CallbackAttemptView(a.AttemptedAt, a.StatusCode, a.Error))
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        return new CallbackView(url, state.Value, attempts);
    }
}
