using KC.Application.Common.Telemetry;
using KC.Application.Monitoring.GetQueueStatistics;
using Microsoft.Extensions.Logging.Abstractions;

namespace KC.TestSupport;

/// <summary>Instruments nobody reads, for the types under test that record to them.</summary>
public static class TestTelemetry
{
    public static KcTelemetry Instruments { get; } = new(new TestMeterFactory(), new NoReadings());

    public static JobLifecycle Lifecycle { get; } = new(Instruments, NullLogger<JobLifecycle>.Instance);

    private sealed class NoReadings : IMonitoringReadings
    {
        public QueueStatistics? Queue() => null;

        public IReadOnlyList<(string State, int Count)>? Nodes() => null;
    }
}
