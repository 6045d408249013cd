using System.Globalization;
using System.Text.RegularExpressions;
using KC.Api.FunctionalTests.Infrastructure;

namespace KC.Api.FunctionalTests.Clients.Generated;

/// <summary>
/// The document proves itself: a C# client that Kiota generates from the running service's own
/// <c>/openapi/v1.json</c>, compiled with nothing else, runs the README's session against the
/// service — submit, poll to completed, read the per-image perimeters — and gets the contract's
/// refusals. A member the document names wrongly, a type or a status it gets wrong, shows here as
/// a value missing from what the program prints. Generation and the build run once for the class,
/// and fail every test, with the tool's output, when they fail.
/// </summary>
[NonParallelizable]
public sealed partial class GeneratedClientTests : ServiceTestBase
{
    private KiotaSession _session = null!;

    [OneTimeSetUp]
    public async Task GenerateAndBuildAsync()
    {
        var document = await Client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _session = await KiotaSession.GenerateAndBuildAsync(document);
        TestContext.Progress.WriteLine($"Kiota generated the client and it was built in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [OneTimeTearDown]
    public void RemoveSession() => _session?.Dispose();

    [Test]
    public void Generate_FromTheLiveDocument_RaisesNoWarning()
    {
        var warnings = _session.GeneratorWarnings;

        Assert.That(warnings, Is.Empty);
    }

    [Test]
    public async Task Session_WhenRunThroughTheGeneratedClient_SeesTheJobCompletedWithEveryPerimeter()
    {
        var (a, b, c) = (Images.Url("/img/640x480.png"), Images.Url("/img/1024x768.png"), Images.Url("/img/300x200.png"));

        var run = await _session.RunAsync("session", Client.BaseAddress!.ToString(), a.ToString(), b.ToString(), c.ToString());

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        var id = long.Parse(SubmittedLine().Match(run.Lines[0]).Groups["id"].Value, CultureInfo.InvariantCulture);
        Assert.That(run.Lines, Is.EqualTo(new[]
        {
            $"submitted job_id={id}",
            $"status job_id={id} status=completed total=3 succeeded=3 failed=0 cancelled=0 pending=0 error=absent",
            $"job job_id={id} status=completed visits=2 completed_after_created=True estimated_completion_at=null errors=0 callback=null",
            "visit store_id=S00339218 store_name=BHARAT STORE area_code=710006 visit_time=2025-03-11T12:00:00Z status=completed",
            $"image url={a} status=succeeded attempts=1 width=640 height=480 perimeter=2240 error=null last_error=null",
            $"image url={b} status=succeeded attempts=1 width=1024 height=768 perimeter=3584 error=null last_error=null",
            "visit store_id=S01408764 store_name=NEW SAHA STORES, GARIA area_code=700092 visit_time=2025-03-11T12:00:00Z status=completed",
            $"image url={c} status=succeeded attempts=1 width=300 height=200 perimeter=1000 error=null last_error=null",
        }), run.ToString());
        var details = await Client.GetJsonAsync($"/api/jobs/{id}");
        Assert.That(details["status"]!.GetValue<string>(), Is.EqualTo("completed"), "the job the program saw is the service's own");
    }

    [Test]
    public async Task Submit_WhenTheGeneratedClientSendsABadBody_GetsThe400WithItsErrorAndErrors()
    {
        var run = await _session.RunAsync("bad-body", Client.BaseAddress!.ToString());

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Lines, Is.EqualTo(new[]
        {
            "refused http=400 status=400 title=The request is invalid. error=visits[0].image_url[0]: must be an absolute http or https URL",
            "errors visits[0].image_url[0]=[must be an absolute http or https URL]",
            "message visits[0].image_url[0]: must be an absolute http or https URL",
        }), run.ToString());
    }

    [Test]
    public async Task Status_WhenTheGeneratedClientAsksForAnUnknownJob_GetsThe400EmptyBodyAndTheDetails404()
    {
        var run = await _session.RunAsync("unknown-job", Client.BaseAddress!.ToString());

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Lines, Is.EqualTo(new[]
        {
            "status refused http=400 members=0",
            "details refused http=404 status=404 error=Job 987654321 was not found.",
        }), run.ToString());
    }

    [GeneratedRegex(@"^submitted job_id=(?<id>\d+)$")]
    private static partial Regex SubmittedLine();
}
