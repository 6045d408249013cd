using KC.Application.Processing;
using KC.Infrastructure.IntegrationTests.Persistence;
using KC.Infrastructure.Persistence;
using KC.Infrastructure.Persistence.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;

namespace KC.Infrastructure.IntegrationTests.Persistence.Postgres;

/// <summary>LISTEN/NOTIFY on a real PostgreSQL: a submit's commit wakes the idle workers of every node.</summary>
[TestFixture]
public sealed class PostgresWorkListenerTests() : DatabaseTestBase(DatabaseProvider.Postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Submit_WhenItCommits_WakesAWorkerListeningFromAnotherConnection()
    {
        using var signal = new WorkSignal();
        using var listener = new PostgresWorkListener(Database.ConnectionString, signal, NullLogger<PostgresWorkListener>.Instance);
        await listener.StartAsync(CancellationToken.None);

        // The listener wakes the worker once as it starts listening, for anything it missed before.
        Assert.That(await signal.WaitAsync(Patience, CancellationToken.None), Is.True, "the listener started listening");

        await Database.SaveJobAsync(JobWithImages(2));
        var woken = await signal.WaitAsync(Patience, CancellationToken.None);
        await listener.StopAsync(CancellationToken.None);

        Assert.That(woken, Is.True);
    }
}
