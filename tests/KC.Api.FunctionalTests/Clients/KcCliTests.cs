using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KC.Api.FunctionalTests.Infrastructure;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Clients;

/// <summary>
/// <c>kc</c> run as a child process against the running service, as a script runs it: its output
/// (not a terminal, so plain text) and its exit codes (0 ok, 1 failed or refused, 2 usage, 3 unreachable).
/// The service has an API key, which every run gets from <c>KC_API_KEY</c>, and the address from <c>KC_URL</c>.
/// </summary>
public sealed partial class KcCliTests : ServiceTestBase
{
    private const string Key = "kc-cli-key";

    private string _folder = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Api:Keys:0"] = Key,
    };

    private Dictionary<string, string?> Environment => new()
    {
        ["KC_URL"] = Client.BaseAddress!.ToString(),
        ["KC_API_KEY"] = Key,
        ["TERM"] = "xterm-256color",
        ["COLORTERM"] = "truecolor",
    };

    [OneTimeSetUp]
    public void Prepare()
    {
        _folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "kc-cli-tests", Guid.NewGuid().ToString("N"))).FullName;

        // The test's own requests set up and check what kc is run against; they need the key too.
        Client.DefaultRequestHeaders.Add("X-Api-Key", Key);
    }

    [OneTimeTearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Submit_WithWaitWhenTheJobCompletes_ShowsProgressThenTheOutcomeAndExitsZero()
    {
        var file = JobFile(Submission(Visit(KnownStore, Images.Url("/img/640x480.png"), Images.Url("/slow/500/30x20.png")), Visit(OtherKnownStore, Images.Url("/img/300x200.png"))));

        var run = await KcAsync("submit", file, "--wait");

        var id = SubmittedId(run);
        var lines = run.Output.TrimEnd().Split('\n');
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(lines[0], Is.EqualTo($"Submitted job {id}: 2 visits, 3 images."));
            Assert.That(lines[1], Does.Match($@"^Job {id}: [0-3]/3 done, 0 failed(, ETA (--|\d+:\d\d:\d\d))?$"), "the first status, at once");
            Assert.That(lines[^2], Is.EqualTo($"Job {id}: 3/3 done, 0 failed"));
            Assert.That(lines[^1], Is.EqualTo($"Job {id} completed: 3 succeeded, 0 failed, 0 cancelled of 3 images."));
            Assert.That(run.Error, Is.Empty);
        });
    }

    [Test]
    public async Task Submit_WithWaitWhenTheJobFails_ListsTheFailingStoresAndExitsOne()
    {
        var missing = Images.Url("/status/404");
        var file = JobFile(Submission(Visit("S99999999", Images.Url("/img/5x5.png")), Visit(KnownStore, missing, Images.Url("/img/6x6.png"))));

        var run = await KcAsync("submit", file, "--wait");

        var id = SubmittedId(run);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
            Assert.That(run.Output, Does.Contain($"Job {id}: 3/3 done, 2 failed\n"));
            Assert.That(run.Output, Does.Contain($"Job {id} failed: 1 succeeded, 2 failed, 0 cancelled of 3 images.\n"));
            Assert.That(run.Output, Does.Match(@"│ Store\s+│ Error\s+│"));
            Assert.That(run.Output, Does.Match(@"│ S99999999 │ unknown store_id\s+│"));
            Assert.That(run.Output, Does.Match($@"│ {KnownStore} │ {Regex.Escape(missing.ToString())}: HTTP 404\s+│"));
        });
    }

    [Test]
    public async Task Submit_WithoutWait_PrintsTheJobAndExitsZeroAtOnce()
    {
        var file = JobFile(Submission(Visit(KnownStore, Images.Url("/slow/60000/7x7.png"))));

        var run = await KcAsync("submit", file);

        var id = SubmittedId(run);
        var status = await Client.GetJsonAsync($"/api/status?jobid={id}");
        await Client.PostAsync(new Uri($"/api/jobs/{id}/cancel", UriKind.Relative), null);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.Output, Is.EqualTo($"Submitted job {id}: 1 visit, 1 image.\n"));
            Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("ongoing"));
        });
    }

    [Test]
    public async Task Submit_WithWaitWhenStopped_SaysTheJobGoesOnAndExits130()
    {
        var file = JobFile(Submission(Visit(KnownStore, Images.Url("/slow/60000/27x27.png"))));

        var run = await KcProcess.RunUntilStoppedAsync(Environment, ": 0/1 done", "submit", file, "--wait");

        var id = SubmittedId(run);
        var status = await Client.GetJsonAsync($"/api/status?jobid={id}");
        await Client.PostAsync(new Uri($"/api/jobs/{id}/cancel", UriKind.Relative), null);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(130), run.ToString());
            Assert.That(run.Error, Is.EqualTo($"Stopped waiting; job {id} goes on (kc status {id}).\n"));
            Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("ongoing"));
        });
    }

    [Test]
    public async Task Submit_WithAnIdempotencyKeyTwice_AnswersWithTheSameJob()
    {
        var file = JobFile(Submission(Visit(KnownStore, Images.Url("/img/8x8.png"))));
        var key = $"kc-cli-{Guid.NewGuid()}";

        var first = await KcAsync("submit", file, "--idempotency-key", key);
        var second = await KcAsync("submit", file, "--idempotency-key", key);

        Assert.Multiple(() =>
        {
            Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
            Assert.That(second.ExitCode, Is.EqualTo(0), second.ToString());
            Assert.That(second.Output, Is.EqualTo($"Job {SubmittedId(first)} was already submitted with this idempotency key.\n"));
        });
    }

    [Test]
    public async Task Submit_WhenTheServiceRefusesTheBody_PrintsItsErrorAndExitsOne()
    {
        var body = Submission(Visit(KnownStore, Images.Url("/img/9x9.png")));
        body["count"] = 3;

        var run = await KcAsync("submit", JobFile(body));

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
            Assert.That(run.Output, Is.Empty);
            Assert.That(run.Error, Is.EqualTo("count: must equal the number of visits (1), but is 3\n"));
        });
    }

    [Test]
    public async Task Submit_WhenTheFileHasAMisspeltMember_NamesItAndExitsTwoWithoutSubmitting()
    {
        var body = Submission(Visit(KnownStore, Images.Url("/img/10x10.png")));
        body["callbackUrl"] = "http://127.0.0.1:1/hook";
        var before = (await Client.GetJsonAsync("/api/jobs"))["total_items"]!.GetValue<long>();

        var run = await KcAsync("submit", JobFile(body, "misspelt.json"));

        var after = (await Client.GetJsonAsync("/api/jobs"))["total_items"]!.GetValue<long>();
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
            Assert.That(run.Error, Is.EqualTo("misspelt.json: callbackUrl: is not a known member; did you mean callback_url?\n"));
            Assert.That(after, Is.EqualTo(before));
        });
    }

    [Test]
    public async Task Submit_WhenAVisitTimeHasNoOffset_NamesTheFieldAndExitsTwo()
    {
        var body = Submission(Visit(KnownStore, Images.Url("/img/11x11.png")));
        body["visits"]![0]!["visit_time"] = "2025-03-11T12:00:00";

        var run = await KcAsync("submit", JobFile(body, "local-time.json"));

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
            Assert.That(run.Error, Is.EqualTo("local-time.json: visits[0].visit_time: is not an RFC 3339 timestamp with an offset (Z or ±hh:mm), such as 2025-03-11T12:00:00Z\n"));
        });
    }

    [Test]
    public async Task Submit_WithoutTheApiKey_PrintsTheServicesErrorAndExitsOne()
    {
        var file = JobFile(Submission(Visit(KnownStore, Images.Url("/img/12x12.png"))));
        var environment = Environment;
        environment["KC_API_KEY"] = null;

        var missing = await KcProcess.RunAsync(environment, "submit", file);
        var wrong = await KcProcess.RunAsync(environment, "--api-key", "not-the-key", "submit", file);

        Assert.Multiple(() =>
        {
            Assert.That((missing.ExitCode, missing.Error), Is.EqualTo((1, "X-Api-Key: an API key is required for this endpoint\n")), missing.ToString());
            Assert.That((wrong.ExitCode, wrong.Error), Is.EqualTo((1, "X-Api-Key: the API key is not valid\n")), wrong.ToString());
        });
    }

    [Test]
    public async Task Status_OfACompletedJob_ExitsZero()
    {
        var id = await SettledJobAsync(Submission(Visit(KnownStore, Images.Url("/img/13x13.png"))));

        var run = await KcAsync("status", id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.Output, Is.EqualTo($"Job {id} completed: 1 succeeded, 0 failed, 0 cancelled of 1 image.\n"));
        });
    }

    [Test]
    public async Task Status_OfAFailedJob_ListsTheFailingStoreAndExitsOne()
    {
        var id = await SettledJobAsync(Submission(Visit("S99999999", Images.Url("/img/14x14.png"))));

        var run = await KcAsync("status", $"{id}");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
            Assert.That(run.Output, Does.StartWith($"Job {id} failed: 0 succeeded, 1 failed, 0 cancelled of 1 image.\n"));
            Assert.That(run.Output, Does.Match(@"│ S99999999 │ unknown store_id │"));
        });
    }

    [Test]
    public async Task Status_OfAnOngoingJob_CountsThePendingImagesAndExitsZero()
    {
        var id = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/slow/60000/15x15.png"))));

        var run = await KcAsync("status", $"{id}");

        await Client.PostAsync(new Uri($"/api/jobs/{id}/cancel", UriKind.Relative), null);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.Output, Is.EqualTo($"Job {id} ongoing: 0 succeeded, 0 failed, 0 cancelled, 1 pending of 1 image.\n"));
        });
    }

    [Test]
    public async Task Status_OfAJobThatDoesNotExist_SaysSoAndExitsOne()
    {
        var run = await KcAsync("status", "987654321");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
            Assert.That(run.Error, Is.EqualTo("Job 987654321 was not found.\n"));
        });
    }

    [Test]
    public async Task Results_OfACompletedJob_ShowsEveryImageWithItsPerimeter()
    {
        var first = Images.Url("/img/640x480.png");
        var second = Images.Url("/img/300x200.png");
        var id = await SettledJobAsync(Submission(Visit(KnownStore, first), Visit(OtherKnownStore, second)));

        var run = await KcAsync("results", $"{id}");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.Output, Does.Match(@"│ Store\s+│ Image\s+│ Status\s+│\s+Size │ Perimeter │\n"));
            Assert.That(run.Output, Does.Match($@"│ {KnownStore} │ {Regex.Escape(first.ToString())}\s*│ succeeded │\s+640x480 │\s+2240 │\n"));
            Assert.That(run.Output, Does.Match($@"│ {OtherKnownStore} │ {Regex.Escape(second.ToString())}\s*│ succeeded │\s+300x200 │\s+1000 │\n"));
            Assert.That(run.Output, Does.EndWith($"Job {id} completed: 2 succeeded, 0 failed, 0 cancelled of 2 images.\n"));
        });
    }

    [Test]
    public async Task Results_OfAJobWithAFailedImage_ShowsItsError()
    {
        var missing = Images.Url("/status/404");
        var id = await SettledJobAsync(Submission(Visit(KnownStore, Images.Url("/img/30x40.png"), missing)));

        var run = await KcAsync("results", $"{id}");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.Output, Does.Match(@"│ Store\s+│ Image\s+│ Status\s+│\s+Size │ Perimeter │ Error\s+│\n"));
            Assert.That(run.Output, Does.Match($@"│ {KnownStore} │ {Regex.Escape(Images.Url("/img/30x40.png").ToString())}\s*│ succeeded │\s+30x40 │\s+140 │\s+│\n"));
            Assert.That(run.Output, Does.Match($@"│ {KnownStore} │ {Regex.Escape(missing.ToString())}\s*│ failed\s+│\s+│\s+│ HTTP 404 │\n"));
            Assert.That(run.Output, Does.EndWith($"Job {id} failed: 1 succeeded, 1 failed, 0 cancelled of 2 images.\n"));
        });
    }

    [Test]
    public async Task Results_WithCsvFile_SavesTheServicesCsv()
    {
        var id = await SettledJobAsync(Submission(Visit(KnownStore, Images.Url("/img/16x16.png"), Images.Url("/status/404"))));
        var target = Path.Combine(_folder, $"job-{id}.csv");

        var run = await KcAsync("results", $"{id}", "--csv", target);

        var expected = await Client.GetByteArrayAsync(new Uri($"/api/jobs/{id}/results.csv", UriKind.Relative));
        Assert.Multiple(async () =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.Output, Is.EqualTo($"Saved the results of job {id} to {target} ({expected.Length} bytes).\n"));
            Assert.That(await File.ReadAllBytesAsync(target), Is.EqualTo(expected));
            Assert.That(File.Exists(target + ".partial"), Is.False);
        });
    }

    [Test]
    public async Task Results_WithCsvDash_WritesTheCsvToStandardOutput()
    {
        var id = await SettledJobAsync(Submission(Visit(KnownStore, Images.Url("/img/17x17.png"))));

        var run = await KcAsync("results", $"{id}", "--csv", "-");

        var expected = await Client.GetStringAsync(new Uri($"/api/jobs/{id}/results.csv", UriKind.Relative));
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.Output, Is.EqualTo(expected.ReplaceLineEndings("\n")));
        });
    }

    [Test]
    public async Task Jobs_WithStatusFailed_ListsOnlyFailedJobs()
    {
        var failed = await SettledJobAsync(Submission(Visit("S99999999", Images.Url("/img/18x18.png"))));
        var completed = await SettledJobAsync(Submission(Visit(KnownStore, Images.Url("/img/19x19.png"))));
        var total = (await Client.GetJsonAsync("/api/jobs?status=failed"))["total_items"]!.GetValue<long>();

        var run = await KcAsync("jobs", "--status", "failed", "--page-size", "500");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.Output, Does.Match(@"│ Job\s+│ Status\s+│ Created\s+│ Completed\s+│ Images │ Succeeded │ Failed │ Cancelled │ Pending │"));
            Assert.That(run.Output, Does.Match($@"│ {failed}\s+│ failed\s+│ \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\dZ │ \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\dZ │\s+1 │\s+0 │\s+1 │\s+0 │\s+0 │"));
            Assert.That(run.Output, Does.Not.Match($@"│ {completed}\s+│"));
            Assert.That(run.Output, Does.EndWith($"Page 1 of 1: {total} {(total == 1 ? "job" : "jobs")} failed.\n"));
        });
    }

    [Test]
    public async Task Jobs_WithPageAndPageSize_ShowsThatPage()
    {
        await SettledJobAsync(Submission(Visit(KnownStore, Images.Url("/img/20x20.png"))));
        await SettledJobAsync(Submission(Visit(KnownStore, Images.Url("/img/21x21.png"))));
        var all = await Client.GetJsonAsync("/api/jobs?page_size=500");
        var total = all["total_items"]!.GetValue<long>();
        var second = all["items"]![1]!["job_id"]!.GetValue<long>();

        var run = await KcAsync("jobs", "--page", "2", "--page-size", "1");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.Output, Does.Match($@"│ {second}\s+│"));
            Assert.That(run.Output.Split('\n').Count(l => Regex.IsMatch(l, @"^│ \d+\s+│")), Is.EqualTo(1));
            Assert.That(run.Output, Does.EndWith($"Page 2 of {total}: {total} jobs.\n"));
        });
    }

    [Test]
    public async Task Cancel_OfAnOngoingJob_SaysCancelledAndExitsZeroThenStatusExitsOne()
    {
        var id = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/slow/60000/22x22.png"), Images.Url("/slow/60000/23x23.png"))));

        var run = await KcAsync("cancel", $"{id}");
        var status = await KcAsync("status", $"{id}");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.Output, Is.EqualTo($"Job {id} cancelled: 0 succeeded, 0 failed, 2 cancelled of 2 images.\n"));
            Assert.That(status.ExitCode, Is.EqualTo(1), status.ToString());
            Assert.That(status.Output, Is.EqualTo(run.Output));
        });
    }

    [Test]
    public async Task Cancel_OfACompletedJob_PrintsTheServicesRefusalAndExitsOne()
    {
        var id = await SettledJobAsync(Submission(Visit(KnownStore, Images.Url("/img/24x24.png"))));

        var run = await KcAsync("cancel", $"{id}");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
            Assert.That(run.Error, Is.EqualTo($"Job {id} is already completed; only an ongoing job can be cancelled.\n"));
        });
    }

    [Test]
    public async Task StoresImport_OfAFileWithARejectedRow_ReportsTheCountsAndTheRow()
    {
        var file = Path.Combine(_folder, "stores.csv");
        await File.WriteAllTextAsync(file, "AreaCode,StoreName,StoreID\n560001,KC CLI STORE,SKCCLI01\n560001,,SKCCLI02\n");

        var run = await KcAsync("stores", "import", file);

        var store = await Client.GetJsonAsync("/api/stores/SKCCLI01");
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.Output, Does.StartWith("Imported stores.csv: 1 inserted, 0 updated, 0 unchanged, 1 rejected.\n"));
            Assert.That(run.Output, Does.Match(@"│ Line │ Reason\s+│"));
            Assert.That(run.Output, Does.Match(@"│ 3\s+│ [^│]*store_name[^│]*│"));
            Assert.That(store["store_name"]!.GetValue<string>(), Is.EqualTo("KC CLI STORE"));
        });
    }

    [TestCase(new string[0], "Required command was not provided.")]
    [TestCase(new[] { "frob" }, "Unrecognized command or argument 'frob'.")]
    [TestCase(new[] { "status" }, "Required argument 'ID' missing for command: 'status'.")]
    [TestCase(new[] { "status", "abc" }, "ID: 'abc' is not a job id, a positive integer")]
    [TestCase(new[] { "cancel", "0" }, "ID: '0' is not a job id, a positive integer")]
    [TestCase(new[] { "jobs", "--status", "done" }, "Argument 'done' not recognized. Must be one of:")]
    [TestCase(new[] { "jobs", "--page", "0" }, "--page: must be a positive integer")]
    [TestCase(new[] { "submit", "no-such-job.json" }, "File does not exist: 'no-such-job.json'.")]
    [TestCase(new[] { "--url", "ftp://kc.example.com", "status", "1" }, "--url: 'ftp://kc.example.com' is not an absolute http or https URL, such as http://localhost:8080")]
    public async Task AnyCommand_WhenUsedWrongly_SaysWhyAndExitsTwo(string[] arguments, string error)
    {
        var run = await KcAsync(arguments);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
            Assert.That(run.Error, Does.Contain(error));
            Assert.That(run.Error, Does.EndWith("Run 'kc --help' for usage.\n"));
            Assert.That(run.Output, Is.Empty);
        });
    }

    [Test]
    public async Task AnyCommand_WhenTheServiceCannotBeReached_SaysWhereAndExitsThree()
    {
        var closed = ClosedPortUrl();

        var run = await KcAsync("--url", closed, "status", "1");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
            Assert.That(run.Error, Does.StartWith($"Cannot reach the KC service at {closed}/: Connection refused"));
        });
    }

    [Test]
    public async Task Url_WhenGivenOnTheCommandLine_WinsOverKcUrl()
    {
        var environment = Environment;
        environment["KC_URL"] = ClosedPortUrl();

        var run = await KcProcess.RunAsync(environment, "--url", Client.BaseAddress!.ToString(), "jobs");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
    }

    [Test]
    public async Task Help_WhenAsked_ListsEveryCommandAndExitsZero()
    {
        var run = await KcAsync("--help");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.Output, Does.Contain("--url <URL>").And.Contain("--api-key <KEY>"));
            Assert.That(run.Output, Does.Contain("submit <FILE>").And.Contain("status <ID>").And.Contain("results <ID>").And.Contain("jobs").And.Contain("cancel <ID>").And.Contain("stores"));
            Assert.That(run.Output, Does.Not.Contain(Key), "the key is never shown");
        });
    }

    [Test]
    public async Task AnyCommand_WhenOutputIsNotATerminal_WritesNoEscapeCodes()
    {
        var file = JobFile(Submission(Visit("S99999999", Images.Url("/img/25x25.png")), Visit(KnownStore, Images.Url("/img/26x26.png"))));

        var runs = new[]
        {
            await KcAsync("submit", file, "--wait"),
            await KcAsync("jobs"),
            await KcAsync("status", "987654321"),
        };

        Assert.That(runs.Select(r => r.Output + r.Error), Has.None.Contain('\u001b'));
    }

    private Task<KcRun> KcAsync(params string[] arguments) => KcProcess.RunAsync(Environment, arguments);

    private string JobFile(JsonObject body, string? name = null)
    {
        var path = Path.Combine(_folder, name ?? $"job-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, body.ToJsonString());
        return path;
    }

    private async Task<long> SettledJobAsync(JsonObject body)
    {
        var id = await SubmitAsync(Client, body);
        await WaitUntilSettledAsync(Client, id);
        return id;
    }

    private static long SubmittedId(KcRun run) =>
        Submitted().Match(run.Output) is { Success: true } match ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : throw new AssertionException($"No job was submitted:\n{run}");

    private static string ClosedPortUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    [GeneratedRegex(@"^(?:Submitted job|Job) (\d+)")]
    private static partial Regex Submitted();
}
