using KC.Application.Common.Interfaces;

namespace KC.Infrastructure.StoreMaster;

/// <summary>
/// The rows a store-master import refused: all of them counted, the first <see cref="ListLimit"/> by
/// line kept with their reasons. A file of garbage costs a counter, not a list as long as the file.
/// </summary>
public sealed class RejectedRows(int listLimit = StoreImportSummary.MaxListedRejections)
{
    private readonly List<RejectedRow> _listed = [];

    public int ListLimit { get; } = listLimit >= 0 ? listLimit : throw new ArgumentOutOfRangeException(nameof(listLimit));

    /// <summary>Every row refused so far.</summary>
    public int Total { get; private set; }

    /// <summary>The refused rows with the lowest lines, at most <see cref="ListLimit"/>, in line order.</summary>
    public IReadOnlyList<RejectedRow> Listed => _listed;

    /// <summary>
    /// Whether a row refused on <paramref name="line"/> would be listed, so that its reason is worth
    /// putting into words. Rows arrive nearly in line order, so once the list is full almost none is.
    /// </summary>
    public bool WouldList(int line) => _listed.Count < ListLimit || (ListLimit > 0 && line < _listed[^1].Line);

    /// <summary>Counts a refused row; <paramref name="reason"/> is asked for only when the row is listed.</summary>
    public void Add<TState>(int line, TState state, Func<TState, string> reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        Total++;
        if (!WouldList(line))
        {
            return;
        }

        // Malformed records are reported by the CSV reader as it scans ahead, so a later line may come
        // in before an earlier one: insert in order rather than append.
        var at = _listed.Count;
        while (at > 0 && _listed[at - 1].Line > line)
        {
            at--;
        }

        _listed.Insert(at, new RejectedRow(line, reason(state)));
        if (_listed.Count > ListLimit)
        {
            _listed.RemoveAt(_listed.Count - 1);
        }
    }

    public void Add(int line, string reason) => Add(line, reason, static r => r);
}
