using FluentValidation;
using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Validation;
using Mediator;

namespace KC.Application.Jobs.Queries.ExportJobResults;

/// <summary>Every image result of a job, one row per image, for a download the client streams.</summary>
public sealed record ExportJobResultsQuery(long JobId) : IQuery<JobResultsExport>;

/// <summary>
/// The job exists (checked before anything is written) and <see cref="Rows"/> reads its results
/// lazily, so the caller can stream them without holding the whole job in memory.
/// </summary>
public sealed record JobResultsExport(long JobId, IAsyncEnumerable<JobResultRow> Rows);

public sealed class ExportJobResultsValidator : AbstractValidator<ExportJobResultsQuery>
{
    public ExportJobResultsValidator()
    {
        RuleFor(q => q.JobId).MustBeAnId("job_id");
    }
}

public sealed class ExportJobResultsHandler(IJobListReadModel readModel) : IQueryHandler<ExportJobResultsQuery, JobResultsExport>
{
    public async ValueTask<JobResultsExport> Handle(ExportJobResultsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!await readModel.JobExistsAsync(query.JobId, cancellationToken).ConfigureAwait(false))
        {
            throw new NotFoundException("Job", query.JobId);
        }

        return new JobResultsExport(query.JobId, readModel.ReadResults(query.JobId));
    }
}
