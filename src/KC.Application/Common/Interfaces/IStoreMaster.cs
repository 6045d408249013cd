namespace KC.Application.Common.Interfaces;

/// <summary>The store master, as far as submitting a job needs it.</summary>
public interface IStoreMaster
{
    /// <summary>Returns those of <paramref name="storeIds"/> that exist in the master.</summary>
    Task<IReadOnlySet<string>> FindExistingAsync(IReadOnlyCollection<string> storeIds, CancellationToken cancellationToken);
}
