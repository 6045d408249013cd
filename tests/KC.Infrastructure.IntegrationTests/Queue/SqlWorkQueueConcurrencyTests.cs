using KC.Domain.Jobs;
using KC.Infrastructure.IntegrationTests.Persistence;
using KC.Infrastructure.Persistence;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;

namespace KC.Infrastructure.IntegrationTests.Queue;

[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SqlWorkQueueConcurrencyTests(DatabaseProvider provider) : SqlWorkQueueTestBase(provider)
{
    [Test]
    public async Task ClaimAndRecord_WhenSeveralWorkersDrainTheQueueConcurrently_SettleEveryImageOnceAndCountEachOnce()
    {
        var jobs = new[] { JobWithImages(150, "S1"), JobWithImages(60, "S2"), JobWithImages(7, "S3") };
        await Database.SaveJobsAsync(jobs);
        var owners = Enumerable.Range(0, 6).Select(i => $"worker-{i}").ToList();

        var handled = await Task.WhenAll(owners.Select(owner => Task.Run(() => DrainAsync(owner))));

        var all = handled.SelectMany(h => h).ToList();
        Assert.That(all, Is.Unique);
        Assert.That(all, Has.Count.EqualTo(217));
        Assert.That((await Database.ReadImagesAsync()).Select(i => (i.State, i.Attempts)), Is.All.EqualTo((ImageState.Succeeded, 1)));
        foreach (var job in jobs)
        {
            var stored = await Database.ReadJobAsync(job.Id);
            Assert.That(
                (stored.Status, stored.SucceededImages, stored.FailedImages),
                Is.EqualTo((JobStatus.Completed, job.TotalImages, 0)),
                $"job {job.Id}");
        }
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenTheSameBatchIsRecordedConcurrently_CountsEachImageOnce()
    {
        var job = await Database.SaveJobAsync(JobWithImages(40));
        var claimed = await ClaimAsync("worker-a", max: 40);
        var outcomes = claimed.Select(c => Success(c)).ToArray();

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => RecordAsync("worker-a", outcomes))));

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That((stored.Status, stored.SucceededImages, stored.FailedImages), Is.EqualTo((JobStatus.Completed, 40, 0)));
        Assert.That((await Database.ReadImagesAsync(job.Id)).Select(i => i.Attempts), Is.All.EqualTo(1), "each image's attempts are added once");
    }

    private async Task<List<long>> DrainAsync(string owner)
    {
        var handled = new List<long>();
        while (true)
        {
            var claimed = await Queue.ClaimAsync(owner, 5, CancellationToken.None);
            if (claimed.Count == 0)
            {
                return handled;
            }

            await Queue.RecordOutcomesAsync(owner, [.. claimed.Select(c => Success(c))], CancellationToken.None);
            handled.AddRange(claimed.Select(c => c.ImageId));
        }
    }
}
