using System.Collections.Concurrent;
using KC.Infrastructure.Persistence;

namespace KC.Infrastructure.IntegrationTests.Persistence;

/// <summary>
/// The start's one-node-at-a-time step over a real database, from two connections as two nodes
/// have: PostgreSQL's advisory lock, SQLite's lock file beside the database.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class RunAloneTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private static readonly TimeSpan WhileHeld = TimeSpan.FromMilliseconds(500);

    [Test]
    public async Task RunAloneAsync_WhileAnotherNodeRunsItsStep_WaitsUntilThatEnds()
    {
        var engine = DatabaseEngine.For(Database.Provider);
        await using var firstNode = Database.CreateContext();
        await using var secondNode = Database.CreateContext();
        var steps = new ConcurrentQueue<string>();
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = Task.Run(() => engine.RunAloneAsync(firstNode, _ => Hold(steps, entered, release), CancellationToken.None));
        await entered.Task;
        var second = Task.Run(() => engine.RunAloneAsync(secondNode, _ => Record(steps, "second"), CancellationToken.None));
        var ranWhileHeld = await Task.WhenAny(second, Task.Delay(WhileHeld)) == second;
        release.Set();
        await Task.WhenAll(first, second);

        Assert.Multiple(() =>
        {
            Assert.That(ranWhileHeld, Is.False, "the second ran while the first held the lock");
            Assert.That(steps, Is.EqualTo(new[] { "first in", "first out", "second" }));
        });
    }

    [Test]
    public async Task RunAloneAsync_WhenStoppedWhileWaiting_GivesUpWithoutRunningItsStep()
    {
        var engine = DatabaseEngine.For(Database.Provider);
        await using var firstNode = Database.CreateContext();
        await using var secondNode = Database.CreateContext();
        var steps = new ConcurrentQueue<string>();
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stopping = new CancellationTokenSource();

        var first = Task.Run(() => engine.RunAloneAsync(firstNode, _ => Hold(steps, entered, release), CancellationToken.None));
        await entered.Task;
        var second = Task.Run(() => engine.RunAloneAsync(secondNode, _ => Record(steps, "second"), stopping.Token));
        stopping.CancelAfter(WhileHeld);

        Assert.That(async () => await second, Throws.InstanceOf<OperationCanceledException>());
        release.Set();
        await first;
        Assert.That(steps, Is.EqualTo(new[] { "first in", "first out" }));
    }

    [Test]
    public async Task RunAloneAsync_AfterAnotherNodeFinished_RunsAtOnce()
    {
        var engine = DatabaseEngine.For(Database.Provider);
        await using var firstNode = Database.CreateContext();
        await using var secondNode = Database.CreateContext();
        var steps = new ConcurrentQueue<string>();

        await engine.RunAloneAsync(firstNode, _ => Record(steps, "first"), CancellationToken.None);
        await engine.RunAloneAsync(secondNode, _ => Record(steps, "second"), CancellationToken.None);
        await engine.RunAloneAsync(firstNode, _ => Record(steps, "first again"), CancellationToken.None);

        Assert.That(steps, Is.EqualTo(new[] { "first", "second", "first again" }));
    }

    private static async Task Hold(ConcurrentQueue<string> steps, TaskCompletionSource entered, ManualResetEventSlim release)
    {
        steps.Enqueue("first in");
        entered.SetResult();
        await Task.Run(release.Wait);
        steps.Enqueue("first out");
    }

    private static Task Record(ConcurrentQueue<string> steps, string step)
    {
        steps.Enqueue(step);
        return Task.CompletedTask;
    }
}
