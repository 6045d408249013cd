namespace KC.Bench;

/// <summary>How many images each scenario submits: the sizes, or small ones for <c>--quick</c>.</summary>
internal sealed record WorkloadSizes(
    IReadOnlyList<(int Slots, int Images)> Efficiency,
    int QueueImages,
    IReadOnlyList<(int Images, int Repeats)> Submits,
    int StatusImages,
    int FairnessBackgroundImages,
    IReadOnlyList<int> MemoryImages,
    int ScaleImages,
    IReadOnlyList<int> ScaleWorkers,
    int WakeRepeats,
    IReadOnlyList<(int Slots, int Images)> Photos,
    int NearLimitImages,
    TimeSpan CeilingWindow)
{
    /// <summary>The workloads. 100,000-image submits are repeated 10 times, not 20: each one
    /// leaves 100,000 rows behind, and the point is the median, which 10 already pin down. The scale
    /// job keeps one worker busy about 23 s (6,000 images ÷ (64 slots ÷ 0.25 s)): long enough that
    /// the ramp-up and the tail weigh little, short enough for three runs of it. The photo runs are
    /// sized to keep going 10–30 s: at S = 64 the GPU bound (256 photos/s) takes 12 s over 3,000,
    /// at 256 and 1,024 the loopback ceiling (some 400 photos/s) about 15 and 30 s.</summary>
    public static WorkloadSizes Full { get; } = new(
        Efficiency: [(64, 20_000), (256, 20_000), (1_024, 20_000)],
        QueueImages: 50_000,
        Submits: [(10_000, 20), (100_000, 10)],
        StatusImages: 20_000,
        FairnessBackgroundImages: 50_000,
        MemoryImages: [10_000, 100_000],
        ScaleImages: 6_000,
        ScaleWorkers: [1, 2, 3],
        WakeRepeats: 10,
        Photos: [(64, 3_000), (256, 6_000), (1_024, 12_000)],
        NearLimitImages: 30,
        CeilingWindow: TimeSpan.FromSeconds(5));

    /// <summary>About 4 s of ideal GPU time per efficiency run; every scenario still runs end to end.</summary>
    public static WorkloadSizes Quick { get; } = new(
        Efficiency: [(64, 1_000), (256, 4_000), (1_024, 8_000)],
        QueueImages: 5_000,
        Submits: [(1_000, 5), (10_000, 5)],
        StatusImages: 4_000,
        FairnessBackgroundImages: 5_000,
        MemoryImages: [2_000, 10_000],
        ScaleImages: 300,
        ScaleWorkers: [1, 2, 3],
        WakeRepeats: 5,
        Photos: [(64, 300), (256, 600), (1_024, 1_000)],
        NearLimitImages: 10,
        CeilingWindow: TimeSpan.FromSeconds(2));
}
