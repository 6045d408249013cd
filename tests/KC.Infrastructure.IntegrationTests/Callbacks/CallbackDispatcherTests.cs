using System.Diagnostics;
using KC.Application.Common.Interfaces;
using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.Infrastructure.Callbacks;
using KC.Infrastructure.IntegrationTests.Persistence;
using KC.Infrastructure.Persistence;
using KC.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;

namespace KC.Infrastructure.IntegrationTests.Callbacks;

/// <summary>
/// The dispatcher over a real database and a real receiver on loopback, with a clock that moves only
/// when the test moves it: deliveries are independent of each other, slots are refilled as they free,
/// and retries come when the configured schedule says, counted from the end of the failed attempt.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class CallbackDispatcherTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private const string Node = "node-a";
    private const int Hanging = 8;

    // Far past any wait of this test: a held receiver hangs for as long as the test looks.
    private const int TimeoutSeconds = 300;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private FakeTimeProvider _clock = null!;
    private CallbackReceiver _receiver = null!;
    private ServiceProvider _http = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _clock = new FakeTimeProvider(Now);
        _receiver = await CallbackReceiver.StartAsync();
        _http = new ServiceCollection().AddHttpClient(CallbackSender.ClientName).Services.BuildServiceProvider();
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _receiver.DisposeAsync();
        await _http.DisposeAsync();
    }

    [Test]
    public async Task Dispatcher_WhenReceiversHang_DeliversAHealthyCallbackWhileEveryHangingOneIsStillInFlight()
    {
        var hanging = await SettleHangingJobsAsync();
        await using var dispatcher = await StartAsync(new CallbackOptions { MaxConcurrency = Hanging + 1, PollMilliseconds = 20, TimeoutSeconds = TimeoutSeconds });
        await WaitForHangingAsync();

        var healthy = await SettleJobAsync("healthy");
        var delivered = await WaitForDeliveryAsync(healthy, d => d.State == CallbackStatus.Delivered);

        var deliveries = await DeliveriesAsync();
        Assert.Multiple(() =>
        {
            Assert.That(delivered.Attempts, Is.EqualTo(1));
            Assert.That(_receiver.Received("healthy").Select(r => r.AnsweredWith), Is.EqualTo(new[] { 200 }));
            for (var i = 0; i < Hanging; i++)
            {
                Assert.That(_receiver.Open($"hang-{i}"), Is.EqualTo(1), $"hang-{i} has had no answer");
                Assert.That(deliveries[hanging[i]], Is.EqualTo((CallbackStatus.Pending, 0, Node)), $"hang-{i} is still being sent, its attempt unrecorded");
            }
        });
    }

    [Test]
    public async Task Dispatcher_WhenASlotFrees_RefillsItAtOnceWithoutWaitingForTheNextPoll()
    {
        // Two slots, one held by a receiver that hangs; and no poll within the test, so every
        // delivery after the first claim is sent only because a slot was refilled the moment it freed.
        _receiver.Hold("hang-0");
        await SettleJobAsync("hang-0");
        var healthy = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            healthy.Add(await SettleJobAsync($"healthy-{i}"));
        }

        await using var dispatcher = await StartAsync(new CallbackOptions { MaxConcurrency = 2, PollMilliseconds = 3_600_000, TimeoutSeconds = TimeoutSeconds });
        foreach (var jobId in healthy)
        {
            await WaitForDeliveryAsync(jobId, d => d.State == CallbackStatus.Delivered);
        }

        Assert.Multiple(() =>
        {
            Assert.That(_receiver.Open("hang-0"), Is.EqualTo(1));
            Assert.That(Enumerable.Range(0, 4).Select(i => _receiver.Received($"healthy-{i}").Count), Is.EqualTo(new[] { 1, 1, 1, 1 }));
        });
    }

    [Test]
    public async Task Dispatcher_WhenReceiverFailsThreeTimesBesideHangingOnes_RetriesOnTheScheduleCountedFromEachAttemptsEnd()
    {
        // Retries wait 1 s, then 2 s, then 4 s capped at 3 s, each drawn from its upper half.
        var options = new CallbackOptions
        {
            MaxConcurrency = Hanging + 1,
            PollMilliseconds = 20,
            TimeoutSeconds = TimeoutSeconds,
            RetryDelayMilliseconds = 1_000,
            MaxRetryDelaySeconds = 3,
            MaxAttempts = 5,
        };
        await SettleHangingJobsAsync();
        _receiver.Script("flaky", 500, 500, 500);
        _receiver.Hold("flaky");
        var flaky = await SettleJobAsync("flaky");
        await using var dispatcher = await StartAsync(options);
        await WaitForHangingAsync();
        await _receiver.WaitForAsync("flaky", 1, Patience);

        // The first attempt takes 5 s of the clock: its retry is counted from its end, not its start.
        var firstStart = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromSeconds(5));
        var firstEnd = _clock.GetUtcNow();
        _receiver.Release("flaky");
        var ends = new List<DateTimeOffset> { firstEnd };
        var dues = new List<DateTimeOffset>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var failed = await WaitForDeliveryAsync(flaky, d => d.Attempts == attempt);
            var due = DateTimeOffset.FromUnixTimeMilliseconds(failed.NextAttemptAt);
            dues.Add(due);
            _clock.Advance(due - _clock.GetUtcNow());
            ends.Add(due);
        }

        var delivered = await WaitForDeliveryAsync(flaky, d => d.State == CallbackStatus.Delivered);

        var attempts = await AttemptsAsync(flaky);
        Assert.Multiple(() =>
        {
            Assert.That(delivered.Attempts, Is.EqualTo(4));
            Assert.That(_receiver.Received("flaky").Select(r => r.AnsweredWith), Is.EqualTo(new[] { 500, 500, 500, 200 }));
            Assert.That(attempts.Select(a => (a.At, a.StatusCode)), Is.EqualTo(new (DateTimeOffset, int?)[]
            {
                (firstStart, 500), (dues[0], 500), (dues[1], 500), (dues[2], 200),
            }), "each retry left as soon as it was due");
            Assert.That(dues[0] - ends[0], Is.InRange(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(1_000)));
            Assert.That(dues[1] - ends[1], Is.InRange(TimeSpan.FromMilliseconds(1_000), TimeSpan.FromMilliseconds(2_000)));
            Assert.That(dues[2] - ends[2], Is.InRange(TimeSpan.FromMilliseconds(1_500), TimeSpan.FromMilliseconds(3_000)), "capped by MaxRetryDelaySeconds");
            Assert.That(Enumerable.Range(0, Hanging).Select(i => _receiver.Open($"hang-{i}")), Is.All.EqualTo(1), "all the while, the hanging ones hung");
        });
    }

    private async Task<IReadOnlyList<long>> SettleHangingJobsAsync()
    {
        var jobIds = new List<long>();
        for (var i = 0; i < Hanging; i++)
        {
            _receiver.Hold($"hang-{i}");
            jobIds.Add(await SettleJobAsync($"hang-{i}"));
        }

        return jobIds;
    }

    private async Task WaitForHangingAsync()
    {
        for (var i = 0; i < Hanging; i++)
        {
            await _receiver.WaitForAsync($"hang-{i}", 1, Patience);
        }
    }

    /// <summary>A job of unknown stores only: it settles as it is stored, with its callback due now.</summary>
    private async Task<long> SettleJobAsync(string hook)
    {
        var job = await Database.SaveJobAsync(Job.Submit([Visit("S1", 1)], _ => false, _clock.GetUtcNow(), _receiver.Url(hook).ToString()));
        return job.Id;
    }

    private async Task<AsyncDisposableDispatcher> StartAsync(CallbackOptions options)
    {
        var store = new CallbackStore(Database.Factory, _clock);
        var sender = new CallbackSender(_http.GetRequiredService<IHttpClientFactory>(), options);
        var dispatcher = new CallbackDispatcher(store, sender, new JobIdBody(), options, new NodeIdentity(Node), TestTelemetry.Instruments, _clock, NullLogger<CallbackDispatcher>.Instance);
        await dispatcher.StartAsync(CancellationToken.None);
        return new AsyncDisposableDispatcher(dispatcher);
    }

    private async Task<CallbackDelivery> WaitForDeliveryAsync(long jobId, Func<CallbackDelivery, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using (var db = Database.CreateContext())
            {
                var delivery = await db.Set<CallbackDelivery>().AsNoTracking().SingleAsync(d => d.JobId == jobId);
                if (condition(delivery))
                {
                    return delivery;
                }

                if (clock.Elapsed > Patience)
                {
                    Assert.Fail($"The callback of job {jobId} did not reach the expected state within {Patience.TotalSeconds} s: {delivery.State}, {delivery.Attempts} attempts.");
                }
            }

            await Task.Delay(20);
        }
    }

    private async Task<IReadOnlyDictionary<long, (CallbackStatus State, int Attempts, string? LeaseOwner)>> DeliveriesAsync()
    {
        await using var db = Database.CreateContext();
        var rows = await db.Set<CallbackDelivery>().AsNoTracking().ToListAsync();
        return rows.ToDictionary(d => d.JobId, d => (d.State, d.Attempts, d.LeaseOwner));
    }

    private async Task<IReadOnlyList<CallbackAttemptView>> AttemptsAsync(long jobId)
    {
        await using var db = Database.CreateContext();
        var view = await CallbackReads.GetAsync(db, jobId, "unused", CancellationToken.None);
        return view!.Attempts;
    }

    /// <summary>Stops the dispatcher when the test is done with it, as the host would.</summary>
    private sealed class AsyncDisposableDispatcher(CallbackDispatcher dispatcher) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await dispatcher.StopAsync(CancellationToken.None);
            dispatcher.Dispose();
        }
    }

    /// <summary>A body that names its job; the API writes the real one, and its functional tests compare it with <c>GET /api/status</c>.</summary>
    private sealed class JobIdBody : IJobStatusBody
    {
        public byte[] Write(JobStatusView status) => System.Text.Encoding.UTF8.GetBytes($"{{\"job_id\":{status.JobId}}}");
    }
}
