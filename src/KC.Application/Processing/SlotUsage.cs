namespace KC.Application.Processing;

/// <summary>A node's slots of one kind (GPU or download): how many there are and how many are taken now.</summary>
public readonly record struct SlotUsage(int Busy, int Total);

/// <summary>This node's processing slots as they are now; all free on a node that processes no work.</summary>
public interface IProcessingSlots
{
    SlotUsage GpuSlots { get; }

    SlotUsage DownloadSlots { get; }
}
