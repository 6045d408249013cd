using KC.Application.Jobs.Queries.BrowseJobs;
using KC.Domain.Jobs;
using KC.Infrastructure.IntegrationTests.Queue;
using KC.Infrastructure.Persistence;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;

namespace KC.Infrastructure.IntegrationTests.Persistence;

/// <summary>
/// The reads behind the dashboard's pages, on SQLite and PostgreSQL: the filtered keyset job list,
/// a store's latest visits, jobs by status and images settled per minute.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class DashboardReadModelTests(DatabaseProvider provider) : SqlWorkQueueTestBase(provider)
{
    [Test]
    public async Task BrowseAsync_WithEachFilter_ListsOnlyTheMatchingJobsNewestFirst()
    {
        await Database.SeedStoresAsync(NewStore("S1", "FIRST", "100"), NewStore("S2", "SECOND", "200"));
        var first = await Database.SaveJobAsync(NewJob([Visit("S1")], submittedAt: Now));
        var second = await Database.SaveJobAsync(NewJob([Visit("S2"), Visit("S1")], submittedAt: Now.AddDays(1)));
        var third = await Database.SaveJobAsync(NewJob([Visit("NOPE")], unknownStores: ["NOPE"], submittedAt: Now.AddDays(2)));

        var byStore = await BrowseAsync(new JobFilter(StoreId: "S1"));
        var byArea = await BrowseAsync(new JobFilter(AreaCode: "200"));
        var byStatus = await BrowseAsync(new JobFilter(Status: JobStatus.Failed));
        var byDates = await BrowseAsync(new JobFilter(CreatedFrom: Now.AddDays(1), CreatedBefore: Now.AddDays(2)));
        var byId = await BrowseAsync(new JobFilter(JobId: first.Id));
        var all = await BrowseAsync(new JobFilter());

        Assert.That(byStore, Is.EqualTo(new[] { second.Id, first.Id }));
        Assert.That(byArea, Is.EqualTo(new[] { second.Id }));
        Assert.That(byStatus, Is.EqualTo(new[] { third.Id }));
        Assert.That(byDates, Is.EqualTo(new[] { second.Id }), "from inclusive, before exclusive");
        Assert.That(byId, Is.EqualTo(new[] { first.Id }));
        Assert.That(all, Is.EqualTo(new[] { third.Id, second.Id, first.Id }));
    }

    [Test]
    public async Task BrowseAsync_FromACursor_ReadsBelowItNewestFirstOrAboveItOldestFirst()
    {
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await Database.SaveJobAsync(JobWithImages(2))).Id);
        }

        var older = await BrowseAsync(new JobFilter(), cursor: ids[3], take: 2);
        var newer = await BrowseAsync(new JobFilter(), cursor: ids[1], newer: true, take: 2);

        await using var db = Database.CreateContext();
        var job = (await new JobListReadModel(db).BrowseAsync(new JobFilter(), null, false, 1, CancellationToken.None)).Single();
        Assert.That(older, Is.EqualTo(new[] { ids[2], ids[1] }));
        Assert.That(newer, Is.EqualTo(new[] { ids[2], ids[3] }));
        Assert.That((job.JobId, job.Status, job.CreatedAt, job.Progress), Is.EqualTo((ids[4], JobStatus.Ongoing, Now, new JobProgress(2, 0, 0))));
    }

    [Test]
    public async Task CountAsyncAndFindIdsAsync_WithAFilter_CountAndListTheSameJobs()
    {
        await Database.SeedStoresAsync(NewStore("S1", "FIRST", "100"));
        var kept = new[] { (await Database.SaveJobAsync(NewJob([Visit("S1")]))).Id, (await Database.SaveJobAsync(NewJob([Visit("S1")]))).Id };
        await Database.SaveJobAsync(NewJob([Visit("NOPE")], unknownStores: ["NOPE"]));

        await using var db = Database.CreateContext();
        var readModel = new JobListReadModel(db);
        var count = await readModel.CountAsync(new JobFilter(JobStatus.Ongoing, AreaCode: "100"), CancellationToken.None);
        var ids = await readModel.FindIdsAsync(new JobFilter(JobStatus.Ongoing, AreaCode: "100"), 10, CancellationToken.None);

        Assert.That(count, Is.EqualTo(2));
        Assert.That(ids, Is.EqualTo(kept.Reverse()));
    }

    [Test]
    public async Task CountSettledPerMinuteAsync_WhenImagesSettledInTwoMinutesOfTheWindow_CountsEachMinuteByOutcome()
    {
        var old = await Database.SaveJobAsync(JobWithImages(1));
        await RecordAsync("worker-a", Success((await ClaimAsync()).Single()));
        Clock.Advance(TimeSpan.FromHours(2));
        await Database.SaveJobAsync(JobWithImages(3));
        var claimed = await ClaimAsync();
        var since = Clock.GetUtcNow().AddMinutes(-30);
        await RecordAsync("worker-a", Success(claimed[0]), Success(claimed[1]));
        Clock.Advance(TimeSpan.FromMinutes(2));
        await RecordAsync("worker-a", Failure(claimed[2]));

        await using var db = Database.CreateContext();
        var minutes = await new MonitoringReadModel(db).CountSettledPerMinuteAsync(since, CancellationToken.None);
        var byStatus = await new MonitoringReadModel(db).CountJobsByStatusAsync(CancellationToken.None);

        var start = Now.AddHours(2);
        Assert.That(minutes.Select(m => (m.Minute, m.Succeeded, m.Failed)), Is.EqualTo(new[] { (start, 2L, 0L), (start.AddMinutes(2), 0L, 1L) }));
        Assert.That((await Database.ReadJobAsync(old.Id)).Status, Is.EqualTo(JobStatus.Completed), "settled before the window: not counted");
        Assert.That(byStatus, Is.EqualTo(new Dictionary<JobStatus, long> { [JobStatus.Completed] = 1, [JobStatus.Failed] = 1 }));
    }

    [Test]
    public async Task RecentOfStoreAsync_WhenTheStoreWasVisitedInSeveralJobs_ListsTheLatestVisitsFirstWithTheirOutcomes()
    {
        var earlier = await Database.SaveJobAsync(NewJob([Visit("S1", 2, visitTime: VisitTime)]));
        var later = await Database.SaveJobAsync(NewJob([Visit("S1", 1, visitTime: VisitTime.AddDays(1)), Visit("S2", 1)]));
        var claimed = await ClaimAsync();
        await RecordAsync("worker-a", [.. claimed.Where(c => c.JobId == earlier.Id).Select((c, i) => i == 0 ? Success(c) : Failure(c))]);

        await using var db = Database.CreateContext();
        var visits = await new VisitReadModel(db).RecentOfStoreAsync("S1", 5, CancellationToken.None);

        Assert.That(visits.Select(v => (v.JobId, v.VisitTime, v.Images, v.Status)), Is.EqualTo(new[]
        {
            (later.Id, VisitTime.AddDays(1), new JobProgress(1, 0, 0), JobStatus.Ongoing),
            (earlier.Id, VisitTime, new JobProgress(2, 1, 1), JobStatus.Failed),
        }));
        Assert.That(visits.Select(v => v.JobStatus), Is.EqualTo(new[] { JobStatus.Ongoing, JobStatus.Failed }));
    }

    private async Task<IReadOnlyList<long>> BrowseAsync(JobFilter filter, long? cursor = null, bool newer = false, int take = 10)
    {
        await using var db = Database.CreateContext();
        return (await new JobListReadModel(db).BrowseAsync(filter, cursor, newer, take, CancellationToken.None)).Select(j => j.JobId).ToList();
    }
}
