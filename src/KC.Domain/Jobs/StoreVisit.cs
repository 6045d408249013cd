using KC.Domain.Common;

namespace KC.Domain.Jobs;

/// <summary>One visit of field staff to a store, with the shelf photographs taken there.</summary>
public sealed class StoreVisit
{
    private readonly List<ImageTask> _images = [];

    private StoreVisit()
    {
        StoreId = string.Empty;
    }

    public long Id { get; private set; }

    public long JobId { get; private set; }

    public string StoreId { get; private set; }

    public DateTimeOffset VisitTime { get; private set; }

    /// <summary>Whether the store was in the store master when the job was submitted.</summary>
    public bool StoreKnown { get; private set; }

    public IReadOnlyCollection<ImageTask> Images => _images.AsReadOnly();

    internal static StoreVisit Create(NewVisit visit, bool storeKnown, int firstSequence, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(visit);
        if (string.IsNullOrWhiteSpace(visit.StoreId))
        {
            throw new DomainRuleException(JobRules.VisitHasStore, "A visit must name its store.");
        }

        if (visit.ImageUrls is null || visit.ImageUrls.Count == 0)
        {
            throw new DomainRuleException(JobRules.VisitHasImages, $"The visit to store {visit.StoreId} has no images.");
        }

        var storeVisit = new StoreVisit
        {
            StoreId = visit.StoreId.Trim(),
            VisitTime = VisitTimes.Normalize(visit.VisitTime),
            StoreKnown = storeKnown,
        };

        var sequence = firstSequence;
        foreach (var url in visit.ImageUrls)
        {
            storeVisit._images.Add(storeKnown
                ? ImageTask.Create(url, sequence++)
                : ImageTask.CreateFailed(url, sequence++, Job.UnknownStoreError, now));
        }

        return storeVisit;
    }
}
