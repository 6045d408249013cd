using KC.Domain.Jobs;

namespace KC.Application.Common.Interfaces;

/// <summary>Persists Job aggregates. One <see cref="SaveChangesAsync"/> per command.</summary>
public interface IJobRepository
{
    void Add(Job job);

    Task SaveChangesAsync(CancellationToken cancellationToken);
}
