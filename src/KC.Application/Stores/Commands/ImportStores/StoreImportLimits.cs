namespace KC.Application.Stores.Commands.ImportStores;

/// <summary>The <c>Api</c> section's limit on an uploaded store master.</summary>
public sealed class StoreImportLimits
{
    public const string SectionName = "Api";

    /// <summary>Largest store-master upload accepted, in bytes.</summary>
    public long MaxStoreImportBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>The sentence for an upload over the limit.</summary>
    public string TooLarge(long? size) => size is { } bytes
        ? $"is {bytes} bytes, over the limit of {MaxStoreImportBytes} bytes ({SectionName}:{nameof(MaxStoreImportBytes)})"
        : $"exceeds the limit of {MaxStoreImportBytes} bytes ({SectionName}:{nameof(MaxStoreImportBytes)})";
}
