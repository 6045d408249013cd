using System.Globalization;
using KC.Application.Common.Interfaces;
using KC.Domain.Jobs;

namespace KC.Application.Jobs;

/// <summary>
/// Turns the failed images of a job into the contract's error list: one entry per failing store,
/// in the order the stores first appear in the job, with a message that summarises its failures.
/// </summary>
public static class StoreErrorSummary
{
    private const int ListedFailures = 3;

    public static IReadOnlyList<StoreError> Summarize(IEnumerable<FailedImage> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        var byStore = new Dictionary<string, List<FailedImage>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var failure in failures)
        {
            if (!byStore.TryGetValue(failure.StoreId, out var list))
            {
                byStore[failure.StoreId] = list = [];
                order.Add(failure.StoreId);
            }

            list.Add(failure);
        }

        return order.Select(store => new StoreError(store, Describe(byStore[store]))).ToList();
    }

    private static string Describe(List<FailedImage> failures)
    {
        if (failures.TrueForAll(f => !f.StoreKnown))
        {
            return Job.UnknownStoreError;
        }

        var listed = string.Join("; ", failures.Take(ListedFailures).Select(f => $"{f.ImageUrl}: {f.Error}"));
        if (failures.Count == 1)
        {
            return listed;
        }

        var more = failures.Count > ListedFailures
            ? string.Create(CultureInfo.InvariantCulture, $"; and {failures.Count - ListedFailures} more")
            : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{failures.Count} images failed: {listed}{more}");
    }
}

/// <summary>One failed image as the error summary needs it.</summary>
public sealed record FailedImage(string StoreId, bool StoreKnown, string ImageUrl, string Error);
