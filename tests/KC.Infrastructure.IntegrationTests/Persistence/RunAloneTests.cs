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

    private readonly ConcurrentQueue<string> _steps = new();

    private DatabaseEngine Engine => DatabaseEngine.For(Database.Provider);

    [SetUp]
    public void ForgetSteps() => _steps.Clear();

    [Test]
    public async Task RunAloneAsync_WhileAnotherNodeRunsItsStep_WaitsUntilThatEnds()
    {
        await using var firstNode = Database.CreateContext();
        await using var secondNode = Database.CreateContext();
        using var first = await HoldAsync(firstNode);

        var second = Task.Run(() => Engine.RunAloneAsync(secondNode, _ => Record("second"), CancellationToken.None));
        var ranWhileHeld = await Task.WhenAny(second, Task.Delay(WhileHeld)) == second;
        first.Release.Set();
        await Task.WhenAll(first.Run, second);

        Assert.Multiple(() =>
        {
            Assert.That(ranWhileHeld, Is.False, "the second ran while the first held the lock");
            Assert.That(_steps, Is.EqualTo(new[] { "first in", "first out", "second" }));
        });
    }

    [Test]
    public async Task RunAloneAsync_WhenStoppedWhileWaiting_GivesUpWithoutRunningItsStep()
    {
        await using var firstNode = Database.CreateContext();
        await using var secondNode = Database.CreateContext();
        using var first = await HoldAsync(firstNode);
        using var stopping = new CancellationTokenSource();

        var second = Task.Run(() => Engine.RunAloneAsync(secondNode, _ => Record("second"), stopping.Token));
        stopping.CancelAfter(WhileHeld);

        Assert.That(async () => await second, Throws.InstanceOf<OperationCanceledException>());
        first.Release.Set();
        await first.Run;
        Assert.That(_steps, Is.EqualTo(new[] { "first in", "first out" }));
    }

    [Test]
    public async Task RunAloneAsync_AfterAnotherNodeFinished_RunsAtOnce()
    {
        await using var firstNode = Database.CreateContext();
        await using var secondNode = Database.CreateContext();

        await Engine.RunAloneAsync(firstNode, _ => Record("first"), CancellationToken.None);
        await Engine.RunAloneAsync(secondNode, _ => Record("second"), CancellationToken.None);
        await Engine.RunAloneAsync(firstNode, _ => Record("first again"), CancellationToken.None);

        Assert.That(_steps, Is.EqualTo(new[] { "first", "second", "first again" }));
    }

    /// <summary>Starts <paramref name="node"/>'s step and returns once it runs: it stays inside, holding the lock, until released.</summary>
    private async Task<HeldStep> HoldAsync(KcDbContext node)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new ManualResetEventSlim();
        var run = Task.Run(() => Engine.RunAloneAsync(
            node,
            async _ =>
            {
                _steps.Enqueue("first in");
                entered.SetResult();
                await Task.Run(release.Wait, CancellationToken.None);
                _steps.Enqueue("first out");
            },
            CancellationToken.None));
        await entered.Task;
        return new HeldStep(run, release);
    }

    private Task Record(string step)
    {
        _steps.Enqueue(step);
        return Task.CompletedTask;
    }

    /// <summary>A held step; disposing it lets the step end, so a failed test leaves no node holding the lock.</summary>
    private sealed record HeldStep(Task Run, ManualResetEventSlim Release) : IDisposable
    {
        public void Dispose() => Release.Set();
    }
}
