using KC.Domain.Common;

namespace KC.Domain.Stores;

/// <summary>A store of the store master: the only stores a visit may name.</summary>
public sealed class Store
{
    public const string StoreHasId = nameof(StoreHasId);
    public const string StoreHasName = nameof(StoreHasName);
    public const int MaxIdLength = 64;
    public const int MaxNameLength = 256;
    public const int MaxAreaCodeLength = 32;

    private Store()
    {
        StoreId = string.Empty;
        StoreName = string.Empty;
        AreaCode = string.Empty;
    }

    public string StoreId { get; private set; }

    public string StoreName { get; private set; }

    public string AreaCode { get; private set; }

    public static Store Create(string storeId, string storeName, string areaCode)
    {
        var store = new Store { StoreId = RequireId(storeId) };
        store.Rename(storeName, areaCode);
        return store;
    }

    /// <summary>Applies a newer row of the master to this store. Returns whether anything changed.</summary>
    public bool Rename(string storeName, string areaCode)
    {
        if (string.IsNullOrWhiteSpace(storeName) || storeName.Length > MaxNameLength)
        {
            throw new DomainRuleException(StoreHasName, $"Store {StoreId} needs a name of 1 to {MaxNameLength} characters.");
        }

        var name = storeName.Trim();
        var area = (areaCode ?? string.Empty).Trim();
        if (area.Length > MaxAreaCodeLength)
        {
            throw new DomainRuleException(StoreHasName, $"Store {StoreId} has an area code longer than {MaxAreaCodeLength} characters.");
        }

        var changed = name != StoreName || area != AreaCode;
        StoreName = name;
        AreaCode = area;
        return changed;
    }

    private static string RequireId(string storeId)
    {
        if (string.IsNullOrWhiteSpace(storeId) || storeId.Trim().Length > MaxIdLength)
        {
            throw new DomainRuleException(StoreHasId, $"A store id must have 1 to {MaxIdLength} characters.");
        }

        return storeId.Trim();
    }
}
