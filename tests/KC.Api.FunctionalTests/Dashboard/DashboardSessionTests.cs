using System.Net;
using System.Text.RegularExpressions;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;

namespace KC.Api.FunctionalTests.Dashboard;

/// <summary>
/// Two real nodes on one database, each with a home folder of its own, as two machines or two
/// containers behind a load balancer have: a form served by one is accepted by the other, and a
/// session signed by one is honoured by the other, because the keys that protect both are in the
/// database rather than in each node's home folder.
/// </summary>
[NonParallelizable]
public sealed partial class DashboardSessionTests
{
    private const string Key = "dashboard-session-key-0123456789";

    [Test]
    public async Task Session_WhenSignedInThroughAnotherNode_IsHonouredByEveryNode()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var first = await StartNodeAsync(database);
        await using var second = await StartNodeAsync(database);
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

        using var signIn = await SignInAsync(client, formFrom: first, postedTo: second);
        using var onFirst = await client.GetAsync(new Uri(first.BaseAddress, "/dashboard/nodes"));
        using var onSecond = await client.GetAsync(new Uri(second.BaseAddress, "/dashboard/nodes"));

        Assert.Multiple(() =>
        {
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "the second node accepts the first's form");
            Assert.That(signIn.Headers.Location?.OriginalString, Is.EqualTo("/dashboard/nodes"));
            Assert.That(onFirst.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the first node honours the second's session");
            Assert.That(onSecond.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Session_WhenTheNodeRestartsWithAnEmptyHomeFolder_IsStillHonoured()
    {
        await using var database = await TestDatabase.CreateAsync();
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        await using (var before = await StartNodeAsync(database))
        {
            using var signIn = await SignInAsync(client, formFrom: before, postedTo: before);
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        }

        // A container restarted without its home folder kept: a new process, a new, empty folder.
        await using var after = await StartNodeAsync(database);
        using var page = await client.GetAsync(new Uri(after.BaseAddress, "/dashboard/nodes"));

        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"asked to sign in again: {page.Headers.Location}");
    }

    /// <summary>Fetches the sign-in form from one node and posts it, with its token and the key, to another (or the same).</summary>
    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, ServiceProcess formFrom, ServiceProcess postedTo)
    {
        var form = await client.GetStringAsync(new Uri(formFrom.BaseAddress, "/dashboard/login"));
        using var fields = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__kc_form"] = FormToken().Match(form).Groups["token"].Value,
            ["return_url"] = "/dashboard/nodes",
            ["api_key"] = Key,
        });
        return await client.PostAsync(new Uri(postedTo.BaseAddress, "/dashboard/login"), fields);
    }

    /// <summary>A node with the dashboard behind <see cref="Key"/> and a home folder no other node has.</summary>
    private static Task<ServiceProcess> StartNodeAsync(TestDatabase database)
    {
        var home = Path.Combine(Path.GetTempPath(), "kc-functional-tests", $"home-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home);
        return ServiceProcess.StartAsync(database.ConnectionString, database.With(new Dictionary<string, string?>
        {
            ["Api:Keys:0"] = Key,
            ["HOME"] = home,
        }));
    }

    [GeneratedRegex("""<input name="__kc_form" type="hidden" value="(?<token>[^"]+)" """)]
    private static partial Regex FormToken();
}
