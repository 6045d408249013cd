// The README's session through a client that Kiota generated from the service's live
// /openapi/v1.json. Nothing here knows the wire except through the generated types: a member
// the document names wrongly, a type it gets wrong or a status it leaves out shows up as a
// value missing from what this prints, or as an exception.
//
// This file is the source of a throwaway console project that GeneratedClientTests writes into a
// temporary folder beside the generated client; it is not compiled into the test assembly.
//
//   session BASE IMAGE_640x480 IMAGE_1024x768 IMAGE_300x200   submit, poll to the end, read the results
//   bad-body BASE                                            a submit the service refuses
//   unknown-job BASE                                         the status and the details of a job that does not exist
//
// Prints one line per thing it saw and exits 0; exits 1 with the exception when the session breaks off.
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Serialization;
using KcGenerated;
using KcGenerated.Api.Status;
using KcGenerated.Models;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;

const long UnknownJob = 987654321;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: session|bad-body|unknown-job BASE [IMAGE...]");
    return 2;
}

using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = args[1].TrimEnd('/') };
var kc = new KcApiClient(adapter);

switch (args[0])
{
    case "session" when args.Length == 5:
        await SessionAsync(kc, args[2], args[3], args[4]);
        return 0;
    case "bad-body":
        await BadBodyAsync(kc);
        return 0;
    case "unknown-job":
        await UnknownJobAsync(kc);
        return 0;
    default:
        Console.Error.WriteLine($"unknown command line: {string.Join(' ', args)}");
        return 2;
}

// Submit two visits, poll the status until the job is no longer ongoing, then read every image's result.
static async Task SessionAsync(KcApiClient kc, string image640x480, string image1024x768, string image300x200)
{
    var submitted = await kc.Api.Submit.PostAsync(new SubmitJobRequest
    {
        Count = 2,
        Visits =
        [
            new VisitRequest { StoreId = "S00339218", ImageUrl = [image640x480, image1024x768], VisitTime = "2025-03-11T12:00:00Z" },
            new VisitRequest { StoreId = "S01408764", ImageUrl = [image300x200], VisitTime = "2025-03-11T17:30:00+05:30" },
        ],
    });
    var jobId = submitted?.JobId ?? throw new InvalidOperationException("the submit's answer has no job_id");
    Print($"submitted job_id={jobId}");

    var clock = Stopwatch.StartNew();
    JobStatusResponse status;
    while (true)
    {
        status = await kc.Api.Status.GetAsync(request => request.QueryParameters.Jobid = jobId)
            ?? throw new InvalidOperationException("the status answered no body");
        if (status.Status != JobStatusResponse_status.Ongoing)
        {
            break;
        }

        if (clock.Elapsed > TimeSpan.FromSeconds(60))
        {
            throw new TimeoutException($"job {jobId} was still ongoing after 60 s");
        }

        await Task.Delay(50);
    }

    var progress = status.Progress ?? throw new InvalidOperationException("the status has no progress");
    Print($"status job_id={status.JobId} status={Word(status.Status)} total={progress.Total} succeeded={progress.Succeeded} failed={progress.Failed} cancelled={progress.Cancelled} pending={progress.Pending} error={(status.Error is null ? "absent" : "present")}");

    var job = await kc.Api.Jobs[jobId].GetAsync() ?? throw new InvalidOperationException("the job answered no body");
    Print($"job job_id={job.JobId} status={Word(job.Status)} visits={job.Visits?.Count} completed_after_created={job.CompletedAt >= job.CreatedAt} estimated_completion_at={Text(job.EstimatedCompletionAt)} errors={job.Error?.Count} callback={(job.Callback is null ? "null" : "present")}");
    foreach (var visit in job.Visits ?? [])
    {
        Print($"visit store_id={visit.StoreId} store_name={visit.StoreName} area_code={visit.AreaCode} visit_time={visit.VisitTime?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} status={Word(visit.Status)}");
        foreach (var image in visit.Images ?? [])
        {
            Print($"image url={image.ImageUrl} status={Word(image.Status)} attempts={image.Attempts} width={image.Width} height={image.Height} perimeter={image.Perimeter} error={Text(image.Error)} last_error={Text(image.LastError)}");
        }
    }
}

// An image URL that is not absolute: a 400 whose problem details name the field.
static async Task BadBodyAsync(KcApiClient kc)
{
    try
    {
        await kc.Api.Submit.PostAsync(new SubmitJobRequest
        {
            Count = 1,
            Visits = [new VisitRequest { StoreId = "S00339218", ImageUrl = ["shelf.png"], VisitTime = "2025-03-11T12:00:00Z" }],
        });
        Print($"accepted");
    }
    catch (ProblemResponse problem)
    {
        var errors = problem.Errors?.AdditionalData.Select(e => $"{e.Key}=[{string.Join("|", Strings(e.Value))}]") ?? [];
        Print($"refused http={problem.ResponseStatusCode} status={problem.Status} title={problem.Title} error={problem.Error}");
        Print($"errors {string.Join(", ", errors)}");
        Print($"message {problem.Message}");
    }
}

// The status endpoint's 400 {} and the details' 404 for a job that does not exist.
static async Task UnknownJobAsync(KcApiClient kc)
{
    try
    {
        await kc.Api.Status.GetAsync(request => request.QueryParameters.Jobid = UnknownJob);
        Print($"status answered");
    }
    catch (JobStatusResponse400Error unknown)
    {
        Print($"status refused http={unknown.ResponseStatusCode} members={unknown.AdditionalData.Count}");
    }

    try
    {
        await kc.Api.Jobs[UnknownJob].GetAsync();
        Print($"details answered");
    }
    catch (ProblemResponse problem)
    {
        Print($"details refused http={problem.ResponseStatusCode} status={problem.Status} error={problem.Error}");
    }
}

// The document lists each status's words, so the generated client has an enum for each; this is
// the word on the wire.
static string Word<T>(T? value)
    where T : struct, Enum =>
    value is { } word ? typeof(T).GetField(word.ToString())?.GetCustomAttribute<EnumMemberAttribute>()?.Value ?? word.ToString() : "null";

static void Print(FormattableString line) => Console.WriteLine(line.ToString(CultureInfo.InvariantCulture));

static string Text(object? value) => value switch
{
    null => "null",
    DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
    _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
};

static IEnumerable<string> Strings(object value) => value is UntypedArray array
    ? array.GetValue().Select(item => item is UntypedString text ? text.GetValue() ?? "null" : item.GetType().Name)
    : [value.GetType().Name];
